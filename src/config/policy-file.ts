import { readFileSync, renameSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
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
  return loadPolicy(file, options).policy;
}

function loadPolicy(file: string, options: CompileOptions): { policy: CompiledPolicy; text: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyLoadError(file, [{ path: '$', message: `cannot read: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  return { policy: compilePolicyText(file, text, options), text };
}

function compilePolicyText(file: string, text: string, options: CompileOptions): CompiledPolicy {
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
  private policyText: string;
  private readonly listeners: ((policy: CompiledPolicy) => void)[] = [];
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastError: PolicyLoadError | undefined;

  constructor(
    readonly file: string,
    private readonly options: CompileOptions,
    private readonly logger: Logger,
  ) {
    ({ policy: this.policy, text: this.policyText } = loadPolicy(file, options));
    logger.info({ policy: file, version: this.policy.version }, 'policy loaded');
  }

  current(): CompiledPolicy {
    return this.policy;
  }

  /** The text of the policy in force (the file may since hold a rejected edit). */
  text(): string {
    return this.policyText;
  }

  /** What `text` would compile to with this file's options; throws PolicyLoadError with every issue. */
  compile(text: string): CompiledPolicy {
    return compilePolicyText(this.file, text, this.options);
  }

  /**
   * Validates `text` and, only if it is a valid policy, writes it in place of the file (atomically: a new file
   * renamed over the old, so a crash leaves one or the other) and puts it in force at once. Throws PolicyLoadError
   * with every issue otherwise, leaving file and policy untouched.
   */
  replace(text: string): CompiledPolicy {
    const next = this.compile(text);
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, this.file);
    this.apply(next, text);
    return next;
  }

  /** The reason the newest reload was rejected, if it was. */
  rejection(): PolicyLoadError | undefined {
    return this.lastError;
  }

  onChange(listener: (policy: CompiledPolicy) => void): void {
    this.listeners.push(listener);
  }

  reload(): boolean {
    let next: { policy: CompiledPolicy; text: string };
    try {
      next = loadPolicy(this.file, this.options);
    } catch (error) {
      this.lastError = error instanceof PolicyLoadError ? error : new PolicyLoadError(this.file, [{ path: '$', message: String(error) }]);
      this.logger.error({ policy: this.file, issues: this.lastError.issues, keptVersion: this.policy.version }, 'policy reload rejected; the last good policy stays in force');
      return false;
    }
    this.lastError = undefined;
    this.apply(next.policy, next.text);
    return true;
  }

  private apply(next: CompiledPolicy, text: string): void {
    this.policyText = text;
    if (next.version === this.policy.version) return;
    this.policy = next;
    this.logger.info({ policy: this.file, version: next.version }, 'policy reloaded');
    for (const listener of this.listeners) listener(next);
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
