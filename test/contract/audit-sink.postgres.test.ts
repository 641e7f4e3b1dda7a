/**
 * The contract against a real PostgreSQL (postgres://postgres@127.0.0.1:5432/test, or GATEHOUSE_TEST_PG).
 * Every fixture uses its own table, dropped afterwards, so runs and tests never see each other's rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresAuditSink } from '../../src/adapters/stores/postgres/audit-sink.js';
import { AUDIT_COLUMN, auditEntry, auditSinkContract, SWAPPED_COLUMNS, type AuditSinkFixture } from './audit-sink.contract.js';
import { CLOSED_POSTGRES_URL, opener, POSTGRES_URL, postgresTables, rejectsWithin, withSilentServer } from './support.js';

const tables = postgresTables('gatehouse_audit_test');
const { admin } = tables;

async function postgresFixture(): Promise<AuditSinkFixture> {
  const table = tables.fresh();
  const sinks = opener(() => PostgresAuditSink.create({ connectionString: POSTGRES_URL, table }));
  return {
    open: sinks.open,
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
      await sinks.closeAll();
      await tables.drop(table);
    },
  };
}

auditSinkContract('postgres', postgresFixture);

test('postgres: a sink pointed at a closed port rejects append quickly instead of hanging', async () => {
  const sink = await PostgresAuditSink.create({ connectionString: CLOSED_POSTGRES_URL, connectionTimeoutMillis: 1_000 });
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

test('postgres: a server that accepts but never answers fails within connectionTimeoutMillis', () =>
  withSilentServer(async (url) => {
    const sink = await PostgresAuditSink.create({ connectionString: url, connectionTimeoutMillis: 300 });
    try {
      await rejectsWithin(2_000, () => sink.append([auditEntry(1)]), /timeout/i);
    } finally {
      await sink.close();
    }
  }));

test('postgres: create() does not connect, ready() creates the table', async () => {
  const table = tables.fresh();
  const sink = await PostgresAuditSink.create({ connectionString: POSTGRES_URL, table });
  try {
    const before = await admin.query('SELECT to_regclass($1) AS t', [table]);
    assert.equal(before.rows[0]?.t, null);
    await sink.ready();
    const afterReady = await admin.query('SELECT to_regclass($1) AS t', [table]);
    assert.equal(afterReady.rows[0]?.t, table);
  } finally {
    await sink.close();
    await tables.drop(table);
  }
});

test('postgres: table names are validated; schema-qualified names work', async () => {
  await assert.rejects(PostgresAuditSink.create({ connectionString: POSTGRES_URL, table: 'x; DROP TABLE y' }), /invalid audit table name/);
  const table = tables.fresh();
  const sink = await PostgresAuditSink.create({ connectionString: POSTGRES_URL, table: `public.${table}` });
  try {
    await sink.append([auditEntry(1), auditEntry(2)]);
    assert.deepEqual(await sink.verify(), { ok: true, count: 2 });
  } finally {
    await sink.close();
    await tables.drop(table);
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
