import type { Command } from 'commander';
import { loadPolicyFile } from '../config/policy-file.js';
import { catalogEntries } from '../core/catalog/entries.js';
import { policyWarnings, replayDecisions, suggestPolicy, type SuggestProfile } from '../core/policy/index.js';
import { openAuditSink } from '../adapters/stores/open.js';
import { loadConfigFile } from '../config/load.js';
import { allRecords, auditFilter } from '../core/audit/export.js';
import { withCatalog } from './catalog.js';
import { colour, renderTable } from './table.js';

export function registerPolicyCommands(program: Command, configOption: readonly [string, string, string], fail: (error: unknown) => never): void {
  const policy = program.command('policy').description('work with policy files');

  policy
    .command('validate <file>')
    .description('check a policy file; prints each problem with its JSON path')
    .action((file: string) => {
      try {
        const compiled = loadPolicyFile(file, { hideDefaultDenied: true });
        process.stdout.write(`ok: ${file} (version ${compiled.version})\n`);
      } catch (error) {
        fail(error);
      }
    });

  policy
    .command('suggest')
    .description('write a recommended policy.json for every tool the upstreams expose')
    .option(...configOption)
    .option('--strict', 'deny execution and destruction outright; tight write limits')
    .option('--balanced', 'hold execution, destruction and payments for approval (default)')
    .option('--permissive', 'allow reads freely; generous limits')
    .action(async (opts: { config: string; strict?: boolean; balanced?: boolean; permissive?: boolean }) => {
      const chosen = (['strict', 'balanced', 'permissive'] as const).filter((p) => opts[p]);
      if (chosen.length > 1) fail(new Error(`choose one of --strict, --balanced, --permissive (got ${chosen.map((c) => `--${c}`).join(', ')})`));
      const profile: SuggestProfile = chosen[0] ?? 'balanced';
      const suggested = await withCatalog(opts.config, (gateway) =>
        suggestPolicy(
          gateway.describeCatalog().filter((e) => e.effect !== 'hidden'),
          profile,
        ),
      ).catch(fail);
      const { hide: _hide, agents: _agents, ...withoutEmptySections } = suggested;
      process.stdout.write(`${JSON.stringify(withoutEmptySections, null, 2)}\n`);
    });

  policy
    .command('test <candidate>')
    .description('replay recorded calls under a candidate policy and show what would change')
    .option(...configOption)
    .requiredOption('--against <source>', 'what to replay: "audit" (the audit trail)')
    .option('--since <time>', 'only calls from this time (ISO date, or 15m / 2h / 7d ago)')
    .option('--until <time>', 'only calls before this time')
    .option('--agent <name>', 'only this agent')
    .option('--json', 'machine-readable output')
    .action(async (candidateFile: string, opts: { config: string; against: string; since?: string; until?: string; agent?: string; json?: boolean }) => {
      if (opts.against !== 'audit') fail(new Error('--against takes "audit"'));
      let candidate: ReturnType<typeof loadPolicyFile>;
      try {
        candidate = loadPolicyFile(candidateFile, { hideDefaultDenied: true });
      } catch (error) {
        fail(error);
      }
      const config = loadConfigFile(opts.config);
      const sink = await openAuditSink(config).catch(fail);
      const report = await (async () => {
        const records = [];
        for await (const record of allRecords(sink, auditFilter(opts, Date.now()))) records.push(record);
        return replayDecisions(records, candidate);
      })()
        .catch(fail)
        .finally(() => void sink.close());
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      process.stdout.write(`replayed ${report.replayed} recorded calls under ${candidateFile} (version ${candidate.version}): ${report.unchanged} unchanged, ${report.newlyDenied} newly denied or limited, ${report.newlyAllowed} newly allowed${report.undetermined > 0 ? `, ${report.undetermined} not replayable (decided by argument conditions; the audit keeps arguments redacted)` : ''}\n`);
      if (report.changes.length > 0) {
        process.stdout.write(`\n${renderTable(['TOOL', 'AGENT', 'WAS', 'NOW', 'CALLS', 'RULE'], report.changes.map((c) => [c.tool, c.agent, c.from, c.to, String(c.count), c.rule]))}`);
      }
    });

  policy
    .command('check <file>')
    .description('validate a policy and show what it does to every catalogued tool, with warnings')
    .option(...configOption)
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: { config: string; json?: boolean }) => {
      let candidate: ReturnType<typeof loadPolicyFile>;
      try {
        candidate = loadPolicyFile(file, { hideDefaultDenied: true });
      } catch (error) {
        fail(error);
      }
      const { entries, warnings } = await withCatalog(opts.config, (gateway) => {
        const tools = gateway.describeCatalog();
        const judged = catalogEntries(tools, candidate);
        return { entries: judged, warnings: policyWarnings(candidate, judged) };
      }).catch(fail);
      if (opts.json) {
        const rows = entries.map((e) => ({ server: e.server, tool: e.name, category: e.assessment.category, level: e.assessment.level, policy: e.effect, rule: e.rule }));
        process.stdout.write(`${JSON.stringify({ version: candidate.version, tools: rows, warnings }, null, 2)}\n`);
        return;
      }
      const tty = process.stdout.isTTY === true;
      process.stdout.write(`ok: ${file} is valid (version ${candidate.version})\n\n`);
      process.stdout.write(renderTable(['SERVER', 'TOOL', 'CATEGORY', 'LEVEL', 'POLICY', 'RULE'], entries.map((e) => [e.server, e.name, e.assessment.category, e.assessment.level, e.effect, e.rule])));
      if (warnings.length > 0) process.stdout.write(`\n${warnings.map((w) => `${colour(tty, 'yellow', 'warning')}: ${w}`).join('\n')}\n`);
    });
}
