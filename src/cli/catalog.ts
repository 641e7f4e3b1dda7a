import type { Command } from 'commander';
import type { CatalogEntry } from '../core/catalog/entries.js';
import { suggestRule } from '../core/policy/index.js';
import { attackPatternsFor } from '../core/risk/index.js';
import { highestSeverity } from '../core/scan/index.js';
import type { ToolGuard } from '../proxy/tool-guard.js';
import { openCatalog } from '../main.js';
import type { Gateway } from '../proxy/gateway.js';
import type { Upstream } from '../proxy/upstream.js';
import { colour, renderTable } from './table.js';

const LEVEL_COLOUR = { Low: 'green', Medium: 'yellow', High: 'magenta', Critical: 'red' } as const;

/** Connects to every upstream with progress on stderr, runs `use`, and always disconnects. */
export async function withCatalog<T>(configFile: string, use: (gateway: Gateway) => T | Promise<T>, options: { withPins?: boolean } = {}): Promise<T> {
  const tty = process.stderr.isTTY === true;
  const report = (upstream: Upstream) => {
    const state = upstream.status === 'ready' ? `${upstream.tools.length} tools` : `failed: ${upstream.lastError ?? upstream.status}`;
    process.stderr.write(`  ${upstream.status === 'ready' ? colour(tty, 'green', 'ok') : colour(tty, 'red', '!!')} ${upstream.name}: ${state}\n`);
  };
  process.stderr.write('connecting to upstreams…\n');
  const { gateway, close } = await openCatalog(configFile, report, options);
  try {
    return await use(gateway);
  } finally {
    await close();
  }
}

export interface CatalogFilters {
  server?: string;
  risk?: string;
  decision?: string;
}

export function filterEntries(entries: readonly CatalogEntry[], filters: CatalogFilters): CatalogEntry[] {
  const risk = filters.risk?.toLowerCase();
  return entries.filter(
    (e) =>
      (filters.server === undefined || e.server === filters.server) &&
      (risk === undefined || e.assessment.level.toLowerCase() === risk || e.assessment.category.toLowerCase() === risk) &&
      (filters.decision === undefined || e.effect === filters.decision),
  );
}

export function catalogTable(entries: readonly CatalogEntry[], guard: ToolGuard, tty: boolean): string {
  const rows = entries.map((e) => {
    const worst = highestSeverity(guard.findings(e.name));
    return [e.server, e.name, e.assessment.category, e.assessment.level, e.assessment.confidence.toFixed(2), e.effect, worst ?? '-', guard.pinState(e.name), e.definitionHash.slice(0, 12)];
  });
  return renderTable(['SERVER', 'TOOL', 'CATEGORY', 'LEVEL', 'CONF', 'POLICY', 'FINDINGS', 'PIN', 'HASH'], rows, (cell, column) => {
    if ((column === 6 && (cell === 'high' || cell === 'critical')) || (column === 7 && cell === 'changed')) return colour(tty, 'red', cell);
    if (column === 3) return colour(tty, LEVEL_COLOUR[cell as keyof typeof LEVEL_COLOUR] ?? 'dim', cell);
    if (column === 5 && (cell === 'deny' || cell === 'hidden')) return colour(tty, 'dim', cell);
    return cell;
  });
}

function describeInputs(schema: unknown): string[] {
  const s = schema as { properties?: Record<string, { type?: unknown; description?: unknown }>; required?: unknown };
  if (typeof s !== 'object' || s === null || typeof s.properties !== 'object') return [];
  const required = Array.isArray(s.required) ? s.required : [];
  return Object.entries(s.properties).map(([key, prop]) => {
    const type = typeof prop?.type === 'string' ? prop.type : 'any';
    const description = typeof prop?.description === 'string' ? ` — ${prop.description}` : '';
    return `  - ${key} (${type}${required.includes(key) ? ', required' : ''})${description}`;
  });
}

const WHY_POLICY: Record<string, string> = {
  Read: 'Reads look harmless, but whatever they return lands in the model context: a read tool is how data leaves a system and how text planted in that data reaches the agent.',
  Write: 'Writes change state on the agent\'s behalf; a loop or a manipulated agent can repeat them faster than anyone notices, so they deserve a limit.',
  Execute: 'Execution hands the agent whatever the executed code can do; one injected instruction becomes arbitrary action.',
  Destructive: 'Destructive calls cannot be taken back; an agent acting on a misunderstanding or on injected instructions should not be able to make one unattended.',
  Financial: 'Financial calls move money or commit to paying it; they need a person in the loop.',
  Other: 'The gateway could not tell what this tool does, which is itself a reason to decide deliberately rather than allow by default.',
};

/** A tool-policy page: what it does, how risky, why, which attacks abuse it, and the rule we recommend. */
export function explainPage(entry: CatalogEntry): string {
  const { assessment, definition } = entry;
  const rule = suggestRule(assessment, 'balanced');
  const snippet = JSON.stringify({ version: '1', default: 'deny', tools: { [entry.name]: rule } }, null, 2);
  const inputs = describeInputs(definition.inputSchema);
  const lines = [
    `${entry.name}  (server: ${entry.server}${entry.name !== entry.upstreamName ? `, upstream name: ${entry.upstreamName}` : ''})`,
    '',
    'What it does',
    `  ${definition.description?.trim() || 'The server gives no description.'}`,
    ...(inputs.length > 0 ? ['  Inputs:', ...inputs.map((l) => `  ${l}`)] : []),
    '',
    `Risk: ${assessment.category} · ${assessment.level} · confidence ${assessment.confidence.toFixed(2)}`,
    `  ${assessment.rationale}`,
    '',
    'Why it needs a policy',
    `  ${WHY_POLICY[assessment.category] ?? WHY_POLICY['Other']}`,
    '',
    'Documented attack patterns',
    ...attackPatternsFor(assessment).map((p) => `  - ${p.title}: ${p.summary}\n    ${p.reference.title} <${p.reference.url}>`),
    '',
    `Current policy: ${entry.effect} (${entry.rule})`,
    `Definition hash: ${entry.definitionHash}`,
    '',
    'Recommended rule (policy.json)',
    ...snippet.split('\n').map((l) => `  ${l}`),
  ];
  return lines.join('\n') + '\n';
}

export function registerCatalogCommands(program: Command, configOption: readonly [string, string, string], fail: (error: unknown) => never): void {
  const catalog = program
    .command('catalog')
    .description('every tool every upstream exposes, with its risk and what the policy does with it')
    .option(...configOption)
    .option('--json', 'machine-readable output')
    .option('--server <name>', 'only this server')
    .option('--risk <level-or-category>', 'only this risk level (low…critical) or category (read…financial)')
    .option('--decision <effect>', 'only tools the policy treats so: allow, deny, limit, approval, conditional, hidden')
    .action(async (opts: { config: string; json?: boolean } & CatalogFilters) => {
      await withCatalog(opts.config, (gateway) => {
        const entries = filterEntries(gateway.describeCatalog(), opts);
        const failures = gateway.upstreams.filter((u) => u.status !== 'ready').map((u) => ({ server: u.name, error: u.lastError ?? u.status }));
        if (opts.json) {
          const tools = entries.map((e) => ({
            server: e.server,
            name: e.name,
            upstreamName: e.upstreamName,
            ...e.assessment,
            policy: e.effect,
            rule: e.rule,
            definitionHash: e.definitionHash,
            findings: gateway.guard.findings(e.name),
          }));
          process.stdout.write(`${JSON.stringify({ tools, failures }, null, 2)}\n`);
        } else {
          process.stdout.write(catalogTable(entries, gateway.guard, process.stdout.isTTY === true));
        }
      }).catch(fail);
    });
  catalog
    .command('explain <tool>')
    .description('a policy page for one tool: what it does, its risk, attack patterns, the recommended rule')
    // `-c` is parsed by `catalog` itself (commander gives a shared option to the parent), hence optsWithGlobals.
    .action(async (tool: string, _opts: unknown, command: Command) => {
      const { config } = command.optsWithGlobals<{ config: string }>();
      const found = await withCatalog(config, (gateway) => gateway.describeCatalog().find((e) => e.name === tool)).catch(fail);
      if (!found) {
        process.stderr.write(`gatehouse: no upstream exposes a tool named '${tool}'\n`);
        process.exit(2);
      }
      process.stdout.write(explainPage(found));
    });
}
