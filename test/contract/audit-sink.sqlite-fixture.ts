/** The fixture both SQLite audit sinks (on the main thread and on a worker thread) run the contract suite with. */
import Database from 'better-sqlite3';
import type { AuditSink } from '../../src/core/audit/sink.js';
import { AUDIT_COLUMN, SWAPPED_COLUMNS, type AuditSinkFixture } from './audit-sink.contract.js';
import { opener, tempFile } from './support.js';

const TABLE = 'audit_log';

/** A fresh database file; `openSink` opens a sink of the adapter under test on it. */
export async function sqliteAuditFixture(openSink: (path: string) => AuditSink | Promise<AuditSink>): Promise<AuditSinkFixture> {
  const { path, remove } = tempFile('audit');
  const sinks = opener(() => openSink(path));
  // The tamperer's own connection, like an operator with sqlite3 on the host.
  let raw: Database.Database | undefined;
  const db = (): Database.Database => (raw ??= new Database(path));
  return {
    open: sinks.open,
    tamper: {
      async editRow(seq, field, value) {
        db().prepare(`UPDATE ${TABLE} SET ${AUDIT_COLUMN[field]} = ? WHERE seq = ?`).run(value, seq);
      },
      async deleteRow(seq) {
        db().prepare(`DELETE FROM ${TABLE} WHERE seq = ?`).run(seq);
      },
      async swapRows(a, b) {
        const d = db();
        const get = d.prepare<[number], Record<string, unknown>>(`SELECT ${SWAPPED_COLUMNS.join(', ')} FROM ${TABLE} WHERE seq = ?`);
        const set = d.prepare(`UPDATE ${TABLE} SET ${SWAPPED_COLUMNS.map((c) => `${c} = @${c}`).join(', ')} WHERE seq = @seq`);
        d.transaction(() => {
          const ra = get.get(a);
          const rb = get.get(b);
          set.run({ ...rb, seq: a });
          set.run({ ...ra, seq: b });
        })();
      },
    },
    async dispose() {
      await sinks.closeAll();
      raw?.close();
      remove();
    },
  };
}
