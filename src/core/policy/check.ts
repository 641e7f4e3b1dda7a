import { isGlob, globToRegExp } from './glob.js';
import type { CompiledPolicy } from './compile.js';
import type { CatalogEntry } from '../catalog/entries.js';

/** Problems a policy author would want to hear about before relying on the file. */
export function policyWarnings(compiled: CompiledPolicy, entries: readonly CatalogEntry[]): string[] {
  const names = entries.map((e) => e.name);
  const warnings: string[] = [];
  for (const key of Object.keys(compiled.source.tools)) {
    const matches = isGlob(key) ? names.some((n) => globToRegExp(key).test(n)) : names.includes(key);
    if (!matches) warnings.push(`tools["${key}"] matches no tool that any connected upstream exposes`);
  }
  for (const key of compiled.source.hide) {
    const matches = isGlob(key) ? names.some((n) => globToRegExp(key).test(n)) : names.includes(key);
    if (!matches) warnings.push(`hide entry "${key}" matches no tool that any connected upstream exposes`);
  }
  for (const entry of entries) {
    const { category } = entry.assessment;
    if ((category === 'Destructive' || category === 'Financial') && entry.effect === 'allow') {
      warnings.push(`'${entry.name}' is ${category} (${entry.assessment.level}) and allowed outright by ${entry.rule}; consider require_approval or a limit`);
    }
  }
  return warnings;
}
