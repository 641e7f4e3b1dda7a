import type { Command } from 'commander';
import { withCatalog } from './catalog.js';
import { renderTable } from './table.js';

/**
 * Rug-pull review from the command line: connects to the upstreams, compares each tool with its pinned definition,
 * and approves a new one. A running gateway picks an approval up from the shared store within seconds.
 */
export function registerPinCommands(program: Command, configOption: readonly [string, string, string], fail: (error: unknown) => never): void {
  const pins = program.command('pins').description('tool definitions pinned against rug pulls');
  pins
    .command('list')
    .description('tools whose definition differs from the approved one')
    .option(...configOption)
    .action(async (opts: { config: string }) => {
      const changed = await withCatalog(opts.config, (gateway) => gateway.changedDefinitions(), { withPins: true }).catch(fail);
      if (changed.length === 0) {
        process.stdout.write('every tool matches its approved definition\n');
        return;
      }
      process.stdout.write(renderTable(['SERVER', 'TOOL', 'APPROVED', 'NOW'], changed.map((c) => [c.server, c.tool, (c.pinnedHash ?? '').slice(0, 12), c.currentHash.slice(0, 12)])));
    });
  pins
    .command('diff <tool>')
    .description('show what changed in a tool definition since it was approved')
    .option(...configOption)
    .action(async (tool: string, opts: { config: string }) => {
      const changed = await withCatalog(opts.config, (gateway) => gateway.changedDefinitions(), { withPins: true }).catch(fail);
      const entry = changed.find((c) => c.tool === tool);
      if (!entry) fail(new Error(`'${tool}' matches its approved definition (or no upstream exposes it)`));
      process.stdout.write(`${entry.diff}\n`);
    });
  pins
    .command('approve <tool>')
    .description('approve the definition a tool has now, so calls to it flow again')
    .option(...configOption)
    .action(async (tool: string, opts: { config: string }) => {
      const approved = await withCatalog(opts.config, (gateway) => gateway.approveDefinition(tool), { withPins: true }).catch(fail);
      if (!approved) fail(new Error(`no upstream exposes a tool named '${tool}'`));
      process.stdout.write(`approved ${approved.server}/${approved.tool} (${approved.hash.slice(0, 12)})\n`);
    });
}
