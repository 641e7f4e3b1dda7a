/** The audit entries the audit benches write: a GitHub-like tool mix, arguments redacted and hashed as the gateway does. */
import type { AuditEntry } from '../../src/core/audit/record.js';
import { hashArguments, redactArguments } from '../../src/core/audit/redact.js';

/** The argument keys kept in clear by redaction. */
export const ALLOWED_ARGS = ['owner', 'repo'];

export const rawArgs = (i: number): Record<string, unknown> => ({
  owner: 'acme',
  repo: `service-${i % 50}`,
  title: `Fix flaky test #${i}`,
  body: 'Steps to reproduce:\n'.repeat(20),
  labels: ['bug', 'ci'],
  draft: i % 7 === 0,
  meta: { priority: i % 3, assignee: 'dev' },
});

export function makeAuditEntries(count: number): AuditEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const args = rawArgs(i);
    return {
      time: 1_700_000_000_000 + i,
      agent: `agent-${i % 8}`,
      session: `sess-${i % 100}`,
      server: 'github',
      tool: ['create_issue', 'get_issue', 'list_issues', 'delete_repo'][i % 4] as string,
      decision: i % 10 === 0 ? 'deny' : 'allow',
      rule: i % 10 === 0 ? 'tools["delete_*"]' : 'default',
      reason: i % 10 === 0 ? 'destructive tool' : null,
      argsHash: hashArguments(args),
      args: redactArguments(args, ALLOWED_ARGS),
      latencyMs: (i % 200) / 7,
      outcome: i % 10 === 0 ? null : 'ok',
      policyVersion: 'v12',
    };
  });
}
