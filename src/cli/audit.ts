import type { Command } from 'commander';
import { openAuditSink } from '../adapters/stores/open.js';
import { loadConfigFile } from '../config/load.js';
import { AUDIT_DECISIONS, type AuditRecord } from '../core/audit/record.js';
import { CSV_HEADER, allRecords, auditFilter, csvRow, jsonLine } from '../core/audit/export.js';
import type { AuditSink } from '../core/audit/sink.js';
import { renderTable } from './table.js';

interface FilterOptions {
  config: string;
  agent?: string;
  tool?: string;
  decision?: string;
  since?: string;
  until?: string;
}

async function withSink<T>(configFile: string, use: (sink: AuditSink) => Promise<T>): Promise<T> {
  const sink = await openAuditSink(loadConfigFile(configFile));
  try {
    return await use(sink);
  } finally {
    await sink.close();
  }
}

export function registerAuditCommands(program: Command, configOption: readonly [string, string, string], fail: (error: unknown) => never): void {
  const audit = program.command('audit').description('read and verify the audit trail');
  const withFilters = (command: Command) =>
    command
      .option(...configOption)
      .option('--agent <name>', 'only this agent')
      .option('--tool <name>', 'only this tool')
      .option('--decision <decision>', `only this decision (${AUDIT_DECISIONS.join(', ')})`)
      .option('--since <time>', 'from this time (ISO date, or 15m / 2h / 7d ago)')
      .option('--until <time>', 'up to this time (exclusive)');

  audit
    .command('verify')
    .description('re-hash the whole chain; exit 1 if a record was edited, deleted or reordered')
    .option(...configOption)
    .action(async (opts: { config: string }) => {
      const result = await withSink(opts.config, (sink) => sink.verify()).catch(fail);
      if (result.ok) {
        process.stdout.write(`ok: ${result.count} records, chain intact\n`);
        return;
      }
      process.stdout.write(`TAMPERED at seq ${result.seq}: ${result.problem} — ${result.detail}\n`);
      process.exitCode = 1;
    });

  withFilters(audit.command('query').description('print matching records'))
    .option('--limit <n>', 'at most this many (newest first within the filter)', '50')
    .option('--json', 'JSON lines instead of a table')
    .action(async (opts: FilterOptions & { limit: string; json?: boolean }) => {
      const records = await withSink(opts.config, async (sink) => {
        const all: AuditRecord[] = [];
        for await (const record of allRecords(sink, auditFilter(opts, Date.now()))) all.push(record);
        return all.slice(-Math.max(1, Number.parseInt(opts.limit, 10) || 50));
      }).catch(fail);
      if (opts.json) {
        for (const record of records) process.stdout.write(`${jsonLine(record)}\n`);
        return;
      }
      const rows = records.map((r) => [String(r.seq), new Date(r.time).toISOString(), r.agent, r.tool, r.decision, r.rule ?? '', r.outcome ?? '', r.latencyMs === null ? '' : r.latencyMs.toFixed(1)]);
      process.stdout.write(renderTable(['SEQ', 'TIME', 'AGENT', 'TOOL', 'DECISION', 'RULE', 'OUTCOME', 'MS'], rows));
    });

  withFilters(audit.command('export').description('write every matching record as JSON lines or CSV'))
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .action(async (opts: FilterOptions & { format: string }) => {
      if (opts.format !== 'jsonl' && opts.format !== 'csv') fail(new Error('--format must be jsonl or csv'));
      await withSink(opts.config, async (sink) => {
        if (opts.format === 'csv') process.stdout.write(`${CSV_HEADER}\n`);
        for await (const record of allRecords(sink, auditFilter(opts, Date.now()))) process.stdout.write(`${opts.format === 'csv' ? csvRow(record) : jsonLine(record)}\n`);
      }).catch(fail);
    });

  withFilters(audit.command('tail').description('follow new records as JSON lines (Ctrl-C to stop)'))
    .option('--interval <ms>', 'how often to look for new records', '500')
    .action(async (opts: FilterOptions & { interval: string }) => {
      const sink = await openAuditSink(loadConfigFile(opts.config)).catch(fail);
      const filter = auditFilter(opts, Date.now());
      let afterSeq = 0;
      for await (const record of allRecords(sink, filter)) afterSeq = record.seq;
      const poll = async () => {
        for await (const record of allRecords(sink, { ...filter, afterSeq })) {
          process.stdout.write(`${jsonLine(record)}\n`);
          afterSeq = record.seq;
        }
      };
      const timer = setInterval(() => void poll().catch((error: unknown) => process.stderr.write(`gatehouse: ${String(error)}\n`)), Math.max(50, Number(opts.interval) || 500));
      process.once('SIGINT', () => {
        clearInterval(timer);
        void sink.close().finally(() => process.exit(0));
      });
    });
}
