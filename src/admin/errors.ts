import type { ValidationIssue } from '../core/validation.js';

/** What an admin action refuses, mapped one-to-one onto an HTTP status by the API adapter. */
export type AdminErrorKind = 'invalid' | 'too_large' | 'not_found' | 'conflict' | 'unavailable';

/** A refused admin action: nothing was changed. `path` names the offending field of the request body or query. */
export class AdminError extends Error {
  constructor(
    readonly kind: AdminErrorKind,
    message: string,
    readonly path?: string,
    /** Every problem found, when the input had several. */
    readonly issues: readonly ValidationIssue[] = [],
  ) {
    super(message);
    this.name = 'AdminError';
  }

  /**
   * An invalid document found under `field` of the request (or the request itself, for `''`): issue paths (`$.url`)
   * become request paths (`config.url`, or `url`).
   */
  static invalid(field: string, issues: readonly ValidationIssue[]): AdminError {
    const located = issues.map((issue) => ({ path: underField(field, issue.path), message: issue.message }));
    const first = located[0] ?? { path: field, message: 'invalid' };
    return new AdminError('invalid', first.path ? `${first.path}: ${first.message}` : first.message, first.path || undefined, located);
  }
}

function underField(field: string, issuePath: string): string {
  const rest = issuePath.replace(/^\$/, '');
  return field ? `${field}${rest}` : rest.replace(/^\./, '');
}
