/**
 * The contract against a real PostgreSQL (postgres://postgres@127.0.0.1:5432/test, or GATEHOUSE_TEST_PG).
 * Every fixture uses its own table, dropped afterwards, so runs and tests never see each other's rows.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import pg from 'pg';
import { PostgresAuditSink } from '../../src/adapters/stores/postgres/audit-sink.js';
import type { AuditSink } from '../../src/core/audit/sink.js';
import { AUDIT_COLUMN, auditEntry, auditSinkContract, SWAPPED_COLUMNS, type AuditSinkFixture } from './audit-sink.contract.js';

const URL = process.env['GATEHOUSE_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = `${process.pid}_${randomBytes(3).toString('hex')}`;
let fixtures = 0;

const admin = new pg.Pool({ connectionString: URL, max: 2 });
after(async () => {
  await admin.end();
});

async function postgresFixture(): Promise<AuditSinkFixture> {
  const table = `audit_test_${RUN}_${++fixtures}`;
  const opened: AuditSink[] = [];
  return {
    async open() {
      const sink = await PostgresAuditSink.create({ connectionString: URL, table });
      opened.push(sink);
      return sink;
    },
    tamper: {
      async editRow(seq, field, value) {
        await admin.query(`UPDATE ${table} SET ${AUDIT_COLUMN[field]} = $1 WHERE seq = $2`, [value, seq]);
      },
      async deleteRow(seq) {
        await admin.query(`DELETE FROM ${table} WHERE seq = $1`, [seq]);
      },
      async swapRows(a, b) {
        // One statement: each row takes the other's columns (all but seq).
        const sets = SWAPPED_COLUMNS.map((c) => `${c} = o.${c}`).join(', ');
        await admin.query(
          `UPDATE ${table} t SET ${sets} FROM ${table} o WHERE (t.seq = $1 AND o.seq = $2) OR (t.seq = $2 AND o.seq = $1)`,
          [a, b],
        );
      },
    },
    async dispose() {
      for (const sink of opened) await sink.close();
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
    },
  };
}

auditSinkContract('postgres', postgresFixture);

test('postgres: a sink pointed at a closed port rejects append quickly instead of hanging', async () => {
  const sink = await PostgresAuditSink.create({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 1_000 });
  try {
    const started = performance.now();
    await assert.rejects(sink.append([auditEntry(1)]));
    await assert.rejects(sink.query({}));
    await assert.rejects(sink.ready());
    assert.ok(performance.now() - started < 3_000);
  } finally {
    await sink.close();
  }
});

test('postgres: a server that accepts but never answers fails within connectionTimeoutMillis', async () => {
  const sockets = new Set<Socket>();
  const blackhole = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  const port = (blackhole.address() as { port: number }).port;
  const sink = await PostgresAuditSink.create({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, connectionTimeoutMillis: 300 });
  try {
    const started = performance.now();
    await assert.rejects(sink.append([auditEntry(1)]), /timeout/i);
    const ms = performance.now() - started;
    assert.ok(ms < 2_000, `${ms} ms`);
  } finally {
    await sink.close();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => blackhole.close(resolve));
  }
});

test('postgres: create() does not connect, ready() creates the table', async () => {
  const table = `audit_test_${RUN}_ready`;
  const sink = await PostgresAuditSink.create({ connectionString: URL, table });
  try {
    const before = await admin.query('SELECT to_regclass($1) AS t', [table]);
    assert.equal(before.rows[0]?.t, null);
    await sink.ready();
    const afterReady = await admin.query('SELECT to_regclass($1) AS t', [table]);
    assert.equal(afterReady.rows[0]?.t, table);
  } finally {
    await sink.close();
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
  }
});

test('postgres: table names are validated; schema-qualified names work', async () => {
  await assert.rejects(PostgresAuditSink.create({ connectionString: URL, table: 'x; DROP TABLE y' }), /invalid audit table name/);
  const table = `audit_test_${RUN}_schema`;
  const sink = await PostgresAuditSink.create({ connectionString: URL, table: `public.${table}` });
  try {
    await sink.append([auditEntry(1), auditEntry(2)]);
    assert.deepEqual(await sink.verify(), { ok: true, count: 2 });
  } finally {
    await sink.close();
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
  }
});

test('postgres: four processes-worth of pools appending at once still form one chain', async () => {
  const fx = await postgresFixture();
  const sinks = await Promise.all([fx.open(), fx.open(), fx.open(), fx.open()]);
  try {
    await Promise.all(
      sinks.map(async (sink, id) => {
        for (let b = 0; b < 20; b++) await sink.append(Array.from({ length: 7 }, (_, k) => auditEntry(id * 1000 + b * 10 + k)));
      }),
    );
    assert.deepEqual(await sinks[0]?.verify(), { ok: true, count: 4 * 20 * 7 });
  } finally {
    await fx.dispose();
  }
});
