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
 * zod drops a `__proto__` key from records without a word, so a rule or server named that way would vanish —
 * in a policy, a deny that silently disappears. Such keys are reported instead.
 */
function protoKeyIssues(value: unknown, path: PropertyKey[], issues: ValidationIssue[]): void {
  if (typeof value !== 'object' || value === null) return;
  if (Object.prototype.hasOwnProperty.call(value, '__proto__')) issues.push({ path: formatPath([...path, '__proto__']), message: 'the key "__proto__" is reserved and cannot be used' });
  for (const [key, child] of Object.entries(value)) protoKeyIssues(child, [...path, Array.isArray(value) ? Number(key) : key], issues);
}

export function parseWith<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  const reserved: ValidationIssue[] = [];
  protoKeyIssues(input, [], reserved);
  if (reserved.length > 0) return { ok: false, issues: reserved };
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
