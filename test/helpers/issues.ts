import assert from 'node:assert/strict';
import type { ValidationIssue } from '../../src/core/validation.js';

export function paths(list: readonly ValidationIssue[]): string[] {
  return list.map((i) => i.path);
}

export function issueAt(list: readonly ValidationIssue[], path: string): ValidationIssue {
  const found = list.find((i) => i.path === path);
  if (!found) return assert.fail(`expected an issue at ${path}, got ${JSON.stringify(list)}`);
  return found;
}
