import type { Logger } from 'pino';
import { policyWarnings, type CompiledPolicy, type PolicyEffect } from '../core/policy/index.js';
import { InvalidDocumentError } from '../core/validation.js';
import type { Clock, PolicyHistory, PolicyRevision } from '../ports.js';
import type { Gateway } from '../proxy/gateway.js';
import { AdminError } from './errors.js';

/** The policy file as the admin needs it: the text in force, a dry-run compile, and an atomic replace. */
export interface EditablePolicy {
  current(): CompiledPolicy;
  text(): string;
  compile(text: string): CompiledPolicy;
  replace(text: string): CompiledPolicy;
  onChange(listener: (policy: CompiledPolicy) => void): void;
}

export interface PolicyCheck {
  readonly valid: true;
  readonly version: string;
  readonly tools: readonly { tool: string; server: string; effect: PolicyEffect; rule: string }[];
  readonly warnings: readonly string[];
}

/** The same text is saved for the same document, so a save without changes is recognisably one. */
export function policyText(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Policy edits through the admin API: validated before anything is written (an invalid policy never replaces the
 * one in force), applied at once, and kept as numbered revisions for history, diff and rollback. Edits made to
 * the file directly are recorded as revisions too, when they are loaded.
 */
export class PolicyAdmin {
  /** Writes to the history one at a time, so a save and the reload it causes record one revision, not two. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly policy: EditablePolicy,
    private readonly history: PolicyHistory,
    private readonly gateway: Gateway,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    policy.onChange(() => void this.recordFileEdit());
  }

  /** Records the policy found at start-up when it differs from the newest revision (first run, or edited offline). */
  recordFileEdit(): Promise<void> {
    return this.serialize(async () => {
      const latest = await this.history.latest();
      if (latest?.version === this.policy.current().version) return;
      await this.history.append({ version: this.policy.current().version, text: this.policy.text(), savedAt: this.clock.now(), savedBy: 'file', note: null });
    }).catch((error: unknown) => this.logger.error({ err: String(error) }, 'policy history could not be written'));
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async get(): Promise<{ version: string; text: string; policy: unknown; revision: number | null }> {
    const version = this.policy.current().version;
    const text = this.policy.text();
    return { version, text, policy: JSON.parse(text) as unknown, revision: (await this.currentRevision(version))?.id ?? null };
  }

  /** What the document would do to every tool the upstreams expose; throws AdminError('invalid') with every issue. */
  check(document: unknown): PolicyCheck {
    const compiled = this.compile(document);
    const entries = this.gateway.describeCatalog(compiled);
    return {
      valid: true,
      version: compiled.version,
      tools: entries.map((e) => ({ tool: e.name, server: e.server, effect: e.effect, rule: e.rule })),
      warnings: policyWarnings(compiled, entries),
    };
  }

  async put(document: unknown, by: string, note: string | undefined): Promise<{ version: string; revision: number }> {
    const text = policyText(document);
    this.compile(document);
    return this.serialize(async () => {
      const applied = this.policy.replace(text);
      const revision = await this.history.append({ version: applied.version, text, savedAt: this.clock.now(), savedBy: by, note: note ?? null });
      this.logger.warn({ version: applied.version, revision: revision.id, by }, 'policy replaced through the admin API');
      return { version: applied.version, revision: revision.id };
    });
  }

  async revisions(limit: number): Promise<(Omit<PolicyRevision, 'text'> & { current: boolean })[]> {
    const current = await this.currentRevision(this.policy.current().version);
    return (await this.history.list(limit)).map(({ text: _text, ...rest }) => ({ ...rest, current: rest.id === current?.id }));
  }

  async revision(id: number): Promise<PolicyRevision> {
    const found = await this.history.get(id);
    if (!found) throw new AdminError('not_found', `no policy revision ${id}`, 'id');
    return found;
  }

  /** Puts an earlier revision back in force, as a new revision (history only grows). */
  async rollback(id: number, by: string): Promise<{ version: string; revision: number }> {
    const earlier = await this.history.get(id);
    if (!earlier) throw new AdminError('not_found', `no policy revision ${id}`, 'revision');
    return this.put(JSON.parse(earlier.text) as unknown, by, `rollback to revision ${id}`);
  }

  private compile(document: unknown): CompiledPolicy {
    try {
      return this.policy.compile(policyText(document));
    } catch (error) {
      if (error instanceof InvalidDocumentError) throw AdminError.invalid('policy', error.issues);
      throw new AdminError('invalid', `policy: ${error instanceof Error ? error.message : String(error)}`, 'policy');
    }
  }

  /** The newest revision with this content: the one in force. */
  private async currentRevision(version: string): Promise<PolicyRevision | undefined> {
    return (await this.history.list(1000)).find((r) => r.version === version);
  }
}
