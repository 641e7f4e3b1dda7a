import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { UpstreamUnavailableError } from './upstream.js';

/** Errors that mean "the upstream could not answer", as opposed to an answer that happens to be an error. */
export function isUpstreamFault(error: unknown): boolean {
  return (
    error instanceof UpstreamUnavailableError ||
    (error instanceof McpError && (error.code === ErrorCode.ConnectionClosed || error.code === ErrorCode.RequestTimeout)) ||
    !(error instanceof McpError)
  );
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
