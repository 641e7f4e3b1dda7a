/**
 * The console's visual policy builder, as data: a policy document (plain JSON, possibly not valid yet) is
 * projected onto one row per tool in one of the builder's states, and a row list is turned back into the
 * document. Pure and dependency-free so that the console bundles it and unit tests run it in node.
 *
 * The contract is a lossless round trip, `toPolicy(toVisual(doc)) ≍ doc`: whatever the builder cannot show
 * (approval settings, `limits`, nested condition groups, PolicyLayer spellings, top-level sections) rides along
 * untouched in `extra` / `rest`, so editing one row in the builder never rewrites another part of the file.
 */

export type JsonObject = Record<string, unknown>;

/** `inherit`: no rule, the policy's default decides. The other four are the builder's states (product.md §2). */
export type ToolState = 'inherit' | 'allow' | 'deny' | 'hide' | 'custom';

export const CONDITION_KINDS = ['deny_if', 'require', 'require_approval_if'] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

export const OPERATORS = ['eq', 'neq', 'in', 'not_in', 'lt', 'lte', 'gt', 'gte', 'regex', 'contains', 'exists'] as const;

/** One `{ path, op, value }` condition; `value` is JSON as it will be written. */
export interface ConditionRow {
  path: string;
  op: string;
  value: unknown;
  flags?: string;
}

export interface RateLimitRow {
  max: number;
  /** Seconds, or a duration string such as "1m". */
  window: number | string;
  scope?: string;
}

export interface VisualTool {
  /** A tool name or a glob. */
  name: string;
  state: ToolState;
  /** '' when the rule has no reason. */
  reason: string;
  /** Custom: `action: "require_approval"`. */
  requireApproval: boolean;
  rateLimit: RateLimitRow | null;
  conditions: Record<ConditionKind, ConditionRow[]>;
  /** Rule fields the builder does not edit, written back as they were. For a hidden tool: its whole rule. */
  extra: JsonObject;
  /** Hidden tools only: whether `tools` also has a key for it (an exact key exempts it from glob hides). */
  hasRule: boolean;
}

export interface VisualPolicy {
  /** 'allow' or 'deny' in a valid policy; whatever the document says otherwise, for the validator to report. */
  default: string;
  tools: VisualTool[];
  /** Every top-level field other than version, default, tools, hide. */
  rest: JsonObject;
  /** Whether the document spelled out an empty `tools` / `hide`, so they are kept. */
  keepEmpty: { tools: boolean; hide: boolean };
  /** `hide` as the document listed it, so hidden rows are written back in that order. */
  hideOrder: string[];
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

export function emptyConditions(): Record<ConditionKind, ConditionRow[]> {
  return { deny_if: [], require: [], require_approval_if: [] };
}

export function blankTool(name: string): VisualTool {
  return { name, state: 'inherit', reason: '', requireApproval: false, rateLimit: null, conditions: emptyConditions(), extra: {}, hasRule: false };
}

/** A list the builder can show as rows: only flat `{ path, op, value?, flags? }` leaves. */
function asRows(value: unknown): ConditionRow[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const rows: ConditionRow[] = [];
  for (const item of value) {
    if (!isObject(item) || typeof item['path'] !== 'string' || typeof item['op'] !== 'string') return undefined;
    if (Object.keys(item).some((k) => !['path', 'op', 'value', 'flags'].includes(k))) return undefined;
    if (item['flags'] !== undefined && typeof item['flags'] !== 'string') return undefined;
    const row: ConditionRow = { path: item['path'], op: item['op'], value: item['value'] };
    if (typeof item['flags'] === 'string') row.flags = item['flags'];
    rows.push(row);
  }
  return rows;
}

function asRateLimit(value: unknown): RateLimitRow | undefined {
  if (!isObject(value) || typeof value['max'] !== 'number') return undefined;
  const window = value['window'];
  if (typeof window !== 'number' && typeof window !== 'string') return undefined;
  if (Object.keys(value).some((k) => !['max', 'window', 'scope'].includes(k))) return undefined;
  const row: RateLimitRow = { max: value['max'], window };
  if (value['scope'] !== undefined) {
    if (typeof value['scope'] !== 'string') return undefined;
    row.scope = value['scope'];
  }
  return row;
}

/** Reads one rule into a row; anything the builder has no control for goes to `extra`. */
function ruleToRow(name: string, rule: JsonObject): VisualTool {
  const tool = blankTool(name);
  const extra: JsonObject = {};
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'reason' && typeof value === 'string' && value !== '') tool.reason = value;
    else if (key === 'action' && value === 'require_approval') tool.requireApproval = true;
    else if (key === 'rate_limit' && asRateLimit(value)) tool.rateLimit = asRateLimit(value) ?? null;
    else if ((CONDITION_KINDS as readonly string[]).includes(key) && asRows(value)) tool.conditions[key as ConditionKind] = asRows(value) ?? [];
    else extra[key] = value;
  }
  tool.extra = extra;
  const customised = tool.requireApproval || tool.rateLimit !== null || CONDITION_KINDS.some((k) => tool.conditions[k].length > 0);
  const extraKeys = Object.keys(extra);
  if (!customised && extraKeys.length === 1 && extra['action'] === 'deny') {
    tool.state = 'deny';
    tool.extra = {};
  } else if (!customised && extraKeys.every((k) => k === 'action') && (extra['action'] === undefined || extra['action'] === 'allow')) {
    tool.state = 'allow';
  } else {
    tool.state = 'custom';
  }
  return tool;
}

/**
 * Projects a policy document onto builder rows: every key of `tools`, every `hide` entry, then `known` tool
 * names (from the catalog) that have neither, in the policy's default state.
 */
export function toVisual(doc: JsonObject, known: readonly string[] = []): VisualPolicy {
  const rules = isObject(doc['tools']) ? doc['tools'] : {};
  const hide = Array.isArray(doc['hide']) ? doc['hide'].filter((h): h is string => typeof h === 'string') : [];
  const rows: VisualTool[] = [];
  const seen = new Set<string>();
  for (const [name, rule] of Object.entries(rules)) {
    seen.add(name);
    if (hide.includes(name)) {
      rows.push({ ...blankTool(name), state: 'hide', hasRule: true, extra: isObject(rule) ? rule : { '': rule } });
    } else if (isObject(rule)) {
      rows.push(ruleToRow(name, rule));
    } else {
      // Not an object: not a rule the builder can read. Kept verbatim as a custom row so the validator reports it.
      rows.push({ ...blankTool(name), state: 'custom', extra: { '': rule } });
    }
  }
  for (const name of hide) {
    if (seen.has(name)) continue;
    seen.add(name);
    rows.push({ ...blankTool(name), state: 'hide' });
  }
  for (const name of [...known].sort()) {
    if (!seen.has(name)) {
      seen.add(name);
      rows.push(blankTool(name));
    }
  }
  const rest: JsonObject = {};
  for (const [key, value] of Object.entries(doc)) if (!['version', 'default', 'tools', 'hide'].includes(key)) rest[key] = value;
  if (hasOwn(doc, 'version')) rest['version'] = doc['version'];
  return {
    default: typeof doc['default'] === 'string' ? doc['default'] : 'deny',
    tools: rows,
    rest,
    keepEmpty: { tools: hasOwn(doc, 'tools'), hide: hasOwn(doc, 'hide') },
    hideOrder: hide,
  };
}

/** A non-object rule that `toVisual` kept verbatim under the '' key. */
function verbatim(extra: JsonObject): unknown {
  return Object.keys(extra).length === 1 && hasOwn(extra, '') ? extra[''] : undefined;
}

function rowToRule(tool: VisualTool): unknown {
  const kept = verbatim(tool.extra);
  if (kept !== undefined) return kept;
  const rule: JsonObject = {};
  if (tool.state === 'deny') rule['action'] = 'deny';
  if (tool.state === 'custom' && tool.requireApproval) rule['action'] = 'require_approval';
  if (tool.reason !== '') rule['reason'] = tool.reason;
  if (tool.state === 'custom' || tool.state === 'allow') {
    if (tool.state === 'custom' && tool.rateLimit) rule['rate_limit'] = { ...tool.rateLimit };
    if (tool.state === 'custom') {
      for (const kind of CONDITION_KINDS) {
        const rows = tool.conditions[kind];
        if (rows.length > 0) rule[kind] = rows.map((r) => ({ ...r }));
      }
    }
    for (const [key, value] of Object.entries(tool.extra)) if (!hasOwn(rule, key)) rule[key] = value;
  }
  return rule;
}

/** Writes builder rows back into a policy document (version, default, tools, hide, then everything else). */
export function toPolicy(visual: VisualPolicy): JsonObject {
  const tools: JsonObject = {};
  const hide: string[] = [];
  for (const tool of visual.tools) {
    if (tool.state === 'inherit') continue;
    if (tool.state === 'hide') {
      hide.push(tool.name);
      if (tool.hasRule) tools[tool.name] = verbatim(tool.extra) ?? tool.extra;
      continue;
    }
    tools[tool.name] = rowToRule(tool);
  }
  const rank = (name: string) => {
    const i = visual.hideOrder.indexOf(name);
    return i < 0 ? visual.hideOrder.length : i;
  };
  hide.sort((a, b) => rank(a) - rank(b));
  const { version, ...others } = visual.rest;
  const doc: JsonObject = { version: version ?? '1', default: visual.default };
  if (Object.keys(tools).length > 0 || visual.keepEmpty.tools) doc['tools'] = tools;
  if (hide.length > 0 || visual.keepEmpty.hide) doc['hide'] = hide;
  return { ...doc, ...others };
}

/** Moves a row to another state, dropping what the new state cannot carry (a hidden tool has no rule). */
export function withState(tool: VisualTool, state: ToolState): VisualTool {
  if (state === 'hide' || state === 'inherit') return { ...blankTool(tool.name), state };
  if (state === 'allow') return { ...blankTool(tool.name), state, reason: tool.reason };
  if (state === 'deny') return { ...blankTool(tool.name), state, reason: tool.reason };
  return { ...tool, state, hasRule: false, extra: tool.state === 'hide' ? {} : tool.extra };
}

/** A condition value as the builder shows it in a text box: strings bare, everything else as JSON. */
export function valueToText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') {
    // A string that would read back as something else (a number, true, a list) is shown quoted.
    return textToValue(value) === value ? value : JSON.stringify(value);
  }
  return JSON.stringify(value);
}

/** The inverse of `valueToText`: JSON when the text is JSON, otherwise the text as a string. */
export function textToValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}
