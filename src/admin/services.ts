import type { AgentKeyStore, ApprovalRequest, AuditSink, Clock } from '../ports.js';
import type { Gateway } from '../proxy/gateway.js';
import type { PolicyAdmin } from './policy.js';
import type { ServerAdmin } from './servers.js';

/** Everything the admin API acts on, wired by the composition root. */
export interface AdminServices {
  readonly gateway: Gateway;
  readonly servers: ServerAdmin;
  readonly policy: PolicyAdmin;
  readonly audit: AuditSink;
  readonly keys: AgentKeyStore;
  /** New and decided approvals as they happen, for the console's live queue; returns an unsubscribe function. */
  readonly watchApprovals: (listener: (approval: ApprovalRequest) => void) => () => void;
  readonly clock: Clock;
}
