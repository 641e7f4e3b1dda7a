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
    const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
    if (unknownKeys && unknownKeys.length > 0) {
      return { path: formatPath([...issue.path, unknownKeys[0] as string]), message: `unknown field (${unknownKeys.map((k) => `"${k}"`).join(', ')})` };
    }
    return { path: formatPath(issue.path), message: issue.message };
  });
}

export function parseWith<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
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
