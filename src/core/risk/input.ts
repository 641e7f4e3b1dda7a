import type { ToolDefinitionInput } from './types.js';

/**
 * Normalises an untrusted tool definition into bounded, well-typed pieces. Servers send whatever
 * they like, so nothing here assumes a field has the type its TypeScript declaration claims.
 */

/** Only the head of a description is scanned: real descriptions put their purpose first, and the cap bounds the work. */
export const MAX_DESCRIPTION_CHARS = 4096;
/** The lead sentence decides the description's verb; a bounded window keeps that cheap. */
export const LEAD_WINDOW_CHARS = 400;
export const MAX_SCHEMA_KEYS = 64;
const COMBINATORS: readonly string[] = ['allOf', 'anyOf', 'oneOf'];

export interface Annotations {
  readonly readOnlyHint: boolean | undefined;
  readonly destructiveHint: boolean | undefined;
  readonly idempotentHint: boolean | undefined;
  readonly openWorldHint: boolean | undefined;
}

export interface NormalisedTool {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly schemaKeys: readonly string[];
  readonly annotations: Annotations;
  readonly server: string;
}

function boundedString(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  return value.length > max ? value.slice(0, max) : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readBoolean(record: Record<string, unknown>, key: string): boolean | undefined {
  const v = record[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** Property names of a JSON Schema object, looking one level into allOf/anyOf/oneOf branches. */
export function schemaPropertyNames(schema: unknown): string[] {
  const keys: string[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (!isRecord(node) || depth > 2 || keys.length >= MAX_SCHEMA_KEYS) return;
    const props = node['properties'];
    if (isRecord(props)) {
      for (const k in props) {
        if (keys.length >= MAX_SCHEMA_KEYS) break;
        if (Object.prototype.hasOwnProperty.call(props, k)) keys.push(k);
      }
    }
    for (const combinator of COMBINATORS) {
      const branches = node[combinator];
      if (Array.isArray(branches)) {
        for (let i = 0; i < branches.length && i < 8; i++) visit(branches[i], depth + 1);
      }
    }
  };
  try {
    visit(schema, 0);
  } catch {
    // A hostile schema (throwing getters, proxies) yields whatever keys were read before it threw.
  }
  return keys;
}

export function readAnnotations(value: unknown): Annotations {
  if (!isRecord(value)) {
    return { readOnlyHint: undefined, destructiveHint: undefined, idempotentHint: undefined, openWorldHint: undefined };
  }
  return {
    readOnlyHint: readBoolean(value, 'readOnlyHint'),
    destructiveHint: readBoolean(value, 'destructiveHint'),
    idempotentHint: readBoolean(value, 'idempotentHint'),
    openWorldHint: readBoolean(value, 'openWorldHint'),
  };
}

export function normaliseTool(def: ToolDefinitionInput | null | undefined): NormalisedTool {
  const raw: Partial<Record<keyof ToolDefinitionInput, unknown>> = isRecord(def) ? def : {};
  return {
    name: boundedString(raw.name, 256),
    title: boundedString(raw.title, 256),
    description: boundedString(raw.description, MAX_DESCRIPTION_CHARS),
    schemaKeys: schemaPropertyNames(raw.inputSchema),
    annotations: readAnnotations(raw.annotations),
    server: boundedString(raw.server, 256),
  };
}
