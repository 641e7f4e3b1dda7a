import type { LimitScope } from './schema.js';

/**
 * One quota a call is charged against. `id` names it in the policy (`tools.x.rate_limit`, `all_tools.limits[0]`);
 * `perTool` quotas count each tool separately (a glob rule limits every matching tool on its own), the others
 * count every call they cover together.
 */
export interface Quota {
  readonly id: string;
  readonly max: number;
  readonly windowMs: number;
  readonly scope: LimitScope;
  readonly perTool: boolean;
}

/**
 * What the policy says about one call. `rule` names the policy entry that decided, as a JSON path into the
 * policy file (`tools["get_*"]`, `default`, `hide[0]`), so the agent, the log and the audit can point at it.
 * An allow carries the quotas the call must fit in; the limiter turns a full one into a `limit`.
 */
export type Decision =
  | { readonly kind: 'allow'; readonly rule: string; readonly quotas: readonly Quota[] }
  | { readonly kind: 'deny'; readonly rule: string; readonly reason: string }
  | { readonly kind: 'limit'; readonly rule: string; readonly reason: string; readonly retryAfterS: number }
  /**
   * Held for a person: the call waits up to `timeoutMs` for an approval (or, without `wait`, is answered at once
   * with an approval id and may be retried once approved). Quotas still apply once it is approved. `askClient`,
   * when the rule says, overrides the gateway's setting for asking the agent's own user.
   */
  | { readonly kind: 'hold'; readonly rule: string; readonly reason: string; readonly timeoutMs: number; readonly wait: boolean; readonly askClient?: boolean; readonly quotas: readonly Quota[] };

/** How a tool appears in `tools/list`: hidden tools are neither listed nor callable. */
export type Visibility = 'listed' | 'unlisted' | 'hidden';
