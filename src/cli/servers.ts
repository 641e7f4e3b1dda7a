import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { openServerRegistry } from '../adapters/stores/open.js';
import { importServers } from '../admin/import-servers.js';
import { ClientConfigSchema } from '../config/client-config.js';
import { loadConfigFile, resolveServerConfig } from '../config/load.js';
import { describeIssues, parseJsonText, parseWith } from '../core/validation.js';
import { renderTable } from './table.js';

/**
 * `gatehouse servers`: the servers registered at run time (admin API, console, or `import` here). A running
 * gateway picks changes up within seconds; servers in the config file are listed but changed only there.
 */
export function registerServerCommands(program: Command, configOption: readonly [string, string, string], fail: (error: unknown) => never): void {
  const servers = program.command('servers').description('upstream servers registered at run time');
  servers
    .command('list')
    .description('servers from the config file and the registry')
    .option(...configOption)
    .action(async (opts: { config: string }) => {
      const config = loadConfigFile(opts.config);
      const registry = await openServerRegistry(config);
      const registered = await registry.list().finally(() => registry.close()).catch(fail);
      const describe = (server: Record<string, unknown>) => String(server['url'] ?? [server['command'], ...((server['args'] as string[] | undefined) ?? [])].join(' '));
      const rows = [
        ...Object.entries(config.servers).map(([name, server]) => [name, 'config', describe(server)]),
        ...registered.map((r) => [r.name, 'registry', describe(r.config)]),
      ];
      process.stdout.write(renderTable(['NAME', 'SOURCE', 'TARGET'], rows));
    });
  servers
    .command('import <file>')
    .description('register the servers of an MCP client config (Claude Desktop, Cursor, VS Code: mcpServers)')
    .option(...configOption)
    .action(async (file: string, opts: { config: string }) => {
      const config = loadConfigFile(opts.config);
      const json = parseJsonText(readFileSync(file, 'utf8'));
      const document = json.ok ? parseWith(ClientConfigSchema, json.value) : json;
      if (!document.ok) fail(new Error(`${file}: ${describeIssues(document.issues)}`));
      const registry = await openServerRegistry(config);
      const { imported, skipped } = await importServers(document.value, { registry, fileServers: Object.keys(config.servers), resolve: (raw) => resolveServerConfig(raw, process.cwd()), now: Date.now() })
        .finally(() => registry.close())
        .catch(fail);
      for (const name of imported) process.stdout.write(`imported ${name}\n`);
      for (const { name, reason } of skipped) process.stderr.write(`skipped ${name}: ${reason}\n`);
    });
}
