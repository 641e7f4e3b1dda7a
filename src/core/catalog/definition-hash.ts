import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';

interface ToolDefinitionFields {
  readonly name: string;
  readonly title?: unknown;
  readonly description?: unknown;
  readonly inputSchema?: unknown;
  readonly outputSchema?: unknown;
  readonly annotations?: unknown;
}

/**
 * A hash of everything in a tool definition that can change what an agent does with it. Key order does not
 * matter; any change to a description, schema or annotation does.
 */
export function definitionHash(tool: ToolDefinitionFields): string {
  const { name, title, description, inputSchema, outputSchema, annotations } = tool;
  return createHash('sha256').update(canonicalJson({ name, title, description, inputSchema, outputSchema, annotations })).digest('hex');
}
