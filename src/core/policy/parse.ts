import { PolicySchema, type Policy } from './schema.js';
import { parseJsonText, parseWith, type Parsed } from '../validation.js';

export function parsePolicy(input: unknown): Parsed<Policy> {
  return parseWith(PolicySchema, input);
}

export function parsePolicyText(text: string): Parsed<Policy> {
  const json = parseJsonText(text);
  return json.ok ? parsePolicy(json.value) : json;
}
