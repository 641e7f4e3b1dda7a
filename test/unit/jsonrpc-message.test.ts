import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { parseJsonRpcMessage } from '../../src/adapters/jsonrpc-message.js';
import { jsonRpcMessage } from '../fuzz/arbitraries.js';

/** What the SDK's schema makes of a value: the parsed message, or the text of its error. */
function outcome(parse: (value: unknown) => unknown, value: unknown): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: parse(value) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

describe('parseJsonRpcMessage', () => {
  it('gives exactly what JSONRPCMessageSchema.parse gives, message or error, for JSON-RPC-ish values', () => {
    fc.assert(
      fc.property(jsonRpcMessage, (value) => {
        assert.deepEqual(outcome(parseJsonRpcMessage, value), outcome((v) => JSONRPCMessageSchema.parse(v), value));
      }),
      { numRuns: 3000 },
    );
  });

  it('settles the cases where the kind the keys suggest is not the kind the union picks', () => {
    const cases: unknown[] = [
      // "id" is not a valid id, so the request option fails and the union takes it as a notification
      { jsonrpc: '2.0', id: null, method: 'notifications/initialized' },
      // a request that also carries "result" and "error": handled as the request
      { jsonrpc: '2.0', id: 1, method: 'ping', result: {}, error: { code: 1, message: 'x' } },
      // both result and error, no method: the result response comes first in the union
      { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'x' } },
      // "result" that is not an object: not a result response; nor an error response (no "error")
      { jsonrpc: '2.0', id: 1, result: 5 },
      { jsonrpc: '2.0', id: 1, result: 5, error: { code: -1, message: 'm' } },
      { jsonrpc: '1.0', id: 1, method: 'ping' },
      [],
      null,
      'text',
    ];
    for (const value of cases) {
      assert.deepEqual(outcome(parseJsonRpcMessage, value), outcome((v) => JSONRPCMessageSchema.parse(v), value), JSON.stringify(value));
    }
  });
});
