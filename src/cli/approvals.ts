import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { openApprovalStore } from '../adapters/stores/open.js';
import { createLogger } from '../adapters/logger.js';
import { loadConfigFile } from '../config/load.js';
import { approvalWebhookFor } from '../main.js';
import { withApprovalEvents } from '../proxy/approval-events.js';
import type { ApprovalStore } from '../ports.js';
import { renderTable } from './table.js';

/** The approval store the config names; a decision taken here is announced to the webhook before the command exits. */
async function withApprovals<T>(configFile: string, use: (store: ApprovalStore) => Promise<T>): Promise<T> {
  const config = loadConfigFile(configFile);
  const store = await openApprovalStore(config);
  const webhook = approvalWebhookFor(config, createLogger(config.log_level));
  try {
    return await use(webhook ? withApprovalEvents(store, webhook) : store);
  } finally {
    await webhook?.settled();
    await store.close();
  }
}

export function registerApprovalCommands(program: Command, configOption: readonly [string, string, string], fail: (error: unknown) => never): void {
  const approvals = program.command('approvals').description('calls held for a person to approve or deny');
  approvals
    .command('list')
    .description('pending approvals (or --all)')
    .option(...configOption)
    .option('--all', 'include decided and expired ones')
    .action(async (opts: { config: string; all?: boolean }) => {
      const list = await withApprovals(opts.config, (store) => store.list(opts.all ? {} : { status: 'pending' })).catch(fail);
      const rows = list.map((a) => [a.id, a.status, a.agent, a.tool, a.rule, JSON.stringify(a.args).slice(0, 60), new Date(a.expiresAt).toISOString()]);
      process.stdout.write(renderTable(['ID', 'STATUS', 'AGENT', 'TOOL', 'RULE', 'ARGUMENTS', 'EXPIRES'], rows));
    });
  for (const verb of ['approve', 'deny'] as const) {
    approvals
      .command(`${verb} <id>`)
      .description(`${verb} a pending call`)
      .option(...configOption)
      .option('--note <text>', 'shown to the agent and kept in the audit')
      .option('--by <name>', 'who decides (default: your user name)')
      .action(async (id: string, opts: { config: string; note?: string; by?: string }) => {
        const by = opts.by ?? userInfo().username;
        const decided = await withApprovals(opts.config, (store) => store.decide(id, { approve: verb === 'approve', by, note: opts.note }, Date.now())).catch(fail);
        if (!decided) fail(new Error(`no pending approval '${id}' (already decided, expired, or unknown)`));
        process.stdout.write(`${decided.status} ${decided.id} (${decided.agent} → ${decided.tool}) by ${by}\n`);
      });
  }
}
