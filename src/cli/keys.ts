import type { Command } from 'commander';
import { openKeyStore } from '../adapters/stores/open.js';
import { loadConfigFile } from '../config/load.js';
import type { AgentKeyStore } from '../ports.js';
import { renderTable } from './table.js';

async function withKeys<T>(configFile: string, use: (keys: AgentKeyStore) => Promise<T>): Promise<T> {
  const keys = await openKeyStore(loadConfigFile(configFile));
  try {
    return await use(keys);
  } finally {
    await keys.close();
  }
}

const when = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

export function registerKeyCommands(program: Command, configOption: readonly [string, string, string], fail: (error: unknown) => never): void {
  const keys = program.command('keys').description('agent API keys (stored hashed; a key is shown once)');
  keys
    .command('create')
    .description('create a key for an agent and print it once')
    .requiredOption('--agent <name>', 'the agent this key identifies')
    .option(...configOption)
    .action(async (opts: { agent: string; config: string }) => {
      const { key, secret } = await withKeys(opts.config, (store) => store.create(opts.agent, Date.now())).catch(fail);
      process.stderr.write(`created key ${key.id} for agent '${key.agent}'. It is shown once; the gateway keeps only a hash.\n`);
      process.stdout.write(`${secret}\n`);
    });
  keys
    .command('list')
    .description('list keys (never their secrets)')
    .option(...configOption)
    .action(async (opts: { config: string }) => {
      const all = await withKeys(opts.config, (store) => store.list()).catch(fail);
      const rows = all.map((k) => [k.id, k.agent, when(k.createdAt), when(k.lastUsedAt), k.revokedAt === null ? 'active' : `revoked ${when(k.revokedAt)}`]);
      process.stdout.write(renderTable(['ID', 'AGENT', 'CREATED', 'LAST USED', 'STATUS'], rows));
    });
  keys
    .command('revoke <id>')
    .description('revoke a key at once')
    .option(...configOption)
    .action(async (id: string, opts: { config: string }) => {
      const revoked = await withKeys(opts.config, (store) => store.revoke(id, Date.now())).catch(fail);
      if (!revoked) {
        process.stderr.write(`gatehouse: no active key with id '${id}'\n`);
        process.exit(2);
      }
      process.stdout.write(`revoked ${id}\n`);
    });
}
