/**
 * What the policy says about one call. `rule` names the policy entry that decided, as a JSON path into the
 * policy file (`tools["get_*"]`, `default`, `hide[0]`), so the agent, the log and the audit can point at it.
 */
export type Decision =
  | { readonly kind: 'allow'; readonly rule: string }
  | { readonly kind: 'deny'; readonly rule: string; readonly reason: string };

/** How a tool appears in `tools/list`: hidden tools are neither listed nor callable. */
export type Visibility = 'listed' | 'unlisted' | 'hidden';
