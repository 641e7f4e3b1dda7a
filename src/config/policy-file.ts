import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { compilePolicy, parsePolicyText, type CompileOptions, type CompiledPolicy } from '../core/policy/index.js';
import { InvalidDocumentError, type ValidationIssue } from '../core/validation.js';
import type { PolicyProvider } from '../ports.js';

export class PolicyLoadError extends InvalidDocumentError {
  constructor(file: string, issues: readonly ValidationIssue[]) {
    super('policy', file, issues);
    this.name = 'PolicyLoadError';
  }
}

export function loadPolicyFile(file: string, options: CompileOptions): CompiledPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyLoadError(file, [{ path: '$', message: `cannot read: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  const parsed = parsePolicyText(text);
  if (!parsed.ok) throw new PolicyLoadError(file, parsed.issues);
  return compilePolicy(parsed.value, options);
}

/** Editors save in bursts (truncate, write, rename); one reload per burst. */
const RELOAD_DEBOUNCE_MS = 75;

/**
 * The policy file in force. Loading at start throws on an invalid file (the gateway refuses to start); a reload
 * that fails keeps the last good policy and logs every issue with its path.
 */
export class PolicyFile implements PolicyProvider {
  private policy: CompiledPolicy;
  private readonly listeners: ((policy: CompiledPolicy) => void)[] = [];
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastError: PolicyLoadError | undefined;

  constructor(
    readonly file: string,
    private readonly options: CompileOptions,
    private readonly logger: Logger,
  ) {
    this.policy = loadPolicyFile(file, options);
    logger.info({ policy: file, version: this.policy.version }, 'policy loaded');
  }

  current(): CompiledPolicy {
    return this.policy;
  }

  /** The reason the newest reload was rejected, if it was. */
  rejection(): PolicyLoadError | undefined {
    return this.lastError;
  }

  onChange(listener: (policy: CompiledPolicy) => void): void {
    this.listeners.push(listener);
  }

  reload(): boolean {
    let next: CompiledPolicy;
    try {
      next = loadPolicyFile(this.file, this.options);
    } catch (error) {
      this.lastError = error instanceof PolicyLoadError ? error : new PolicyLoadError(this.file, [{ path: '$', message: String(error) }]);
      this.logger.error({ policy: this.file, issues: this.lastError.issues, keptVersion: this.policy.version }, 'policy reload rejected; the last good policy stays in force');
      return false;
    }
    this.lastError = undefined;
    if (next.version === this.policy.version) return true;
    this.policy = next;
    this.logger.info({ policy: this.file, version: next.version }, 'policy reloaded');
    for (const listener of this.listeners) listener(next);
    return true;
  }

  /** Watches the folder, not the file, so that editors that save by renaming a new file into place are seen. */
  watch(): void {
    const name = basename(this.file);
    this.watcher = watch(dirname(this.file), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.reload(), RELOAD_DEBOUNCE_MS);
    });
    this.watcher.on('error', (error) => this.logger.error({ err: error }, 'policy watcher failed; reloads stop until restart'));
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}
