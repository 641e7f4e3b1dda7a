import type { z } from 'zod';

/** One problem in a user-supplied document, located by a JSON path such as `tools["delete_*"].action`. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

export function issuesFromZod(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => {
    // zod reports a bad record key as "Invalid key in record"; the key schema's own message says what was expected.
    if (issue.code === 'invalid_key') return { path: formatPath(issue.path), message: issue.issues.map((i) => i.message).join('; ') };
    const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
    if (unknownKeys && unknownKeys.length > 0) {
      return { path: formatPath([...issue.path, unknownKeys[0] as string]), message: `unknown field (${unknownKeys.map((k) => `"${k}"`).join(', ')})` };
    }
    return { path: formatPath(issue.path), message: issue.message };
  });
}

/**
 * Before the schema sees a document: zod drops a `__proto__` key from records without a word (a deny rule named so
 * would silently vanish), so such keys are reported; and nesting is bounded.
 */
/** Config and policy documents are shallow; anything nested deeper is refused before it can exhaust the stack. */
export const MAX_DOCUMENT_DEPTH = 64;

interface Visit {
  readonly value: unknown;
  readonly key: PropertyKey | undefined;
  readonly parent: Visit | undefined;
  readonly depth: number;
}

function pathOf(visit: Visit): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let v: Visit | undefined = visit; v?.key !== undefined; v = v.parent) path.unshift(v.key);
  return path;
}

/** Iterative (a hostile document can be nested thousands deep), with parent links instead of copied paths. */
function structuralIssues(input: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const stack: Visit[] = [{ value: input, key: undefined, parent: undefined, depth: 0 }];
  while (stack.length > 0) {
    const visit = stack.pop() as Visit;
    const { value } = visit;
    if (typeof value !== 'object' || value === null) continue;
    if (visit.depth >= MAX_DOCUMENT_DEPTH) {
      issues.push({ path: formatPath(pathOf(visit)), message: `nested more than ${MAX_DOCUMENT_DEPTH} levels deep` });
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(value, '__proto__')) issues.push({ path: formatPath([...pathOf(visit), '__proto__']), message: 'the key "__proto__" is reserved and cannot be used' });
    const isArray = Array.isArray(value);
    for (const [key, child] of Object.entries(value)) stack.push({ value: child, key: isArray ? Number(key) : key, parent: visit, depth: visit.depth + 1 });
  }
  return issues;
}

export function parseWith<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  const structural = structuralIssues(input);
  if (structural.length > 0) return { ok: false, issues: structural };
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: issuesFromZod(result.error) };
}

/** JSON.parse with the error turned into an issue that says where the syntax broke. */
export function parseJsonText(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, issues: [{ path: '$', message: `not valid JSON: ${message}` }] };
  }
}

export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

/** Whether a JSON value nests deeper than `max` levels (iterative: the value may come from an attacker). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(current)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/** A user's file that cannot be used, with every problem in it located by path. */
export class InvalidDocumentError extends Error {
  constructor(
    /** What the file is, for people: "config", "policy". */
    readonly kind: string,
    readonly file: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(`invalid ${kind} ${file}: ${describeIssues(issues)}`);
    this.name = 'InvalidDocumentError';
  }
}
