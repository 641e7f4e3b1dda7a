/**
 * A cheap structural check of one JSON-RPC 2.0 message, so that valid JSON that is not JSON-RPC gets -32600
 * (Invalid Request) with the reason, rather than the SDK's generic parse error. The SDK still does the full
 * validation of what passes.
 */
export function jsonRpcShapeProblem(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return 'a JSON-RPC message must be an object';
  const m = message as Record<string, unknown>;
  if (m['jsonrpc'] !== '2.0') return '"jsonrpc" must be "2.0"';
  const id = m['id'];
  if (id !== undefined && typeof id !== 'string' && !(typeof id === 'number' && Number.isInteger(id))) return '"id" must be a string or an integer';
  if ('method' in m) {
    if (typeof m['method'] !== 'string') return '"method" must be a string';
    const params = m['params'];
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) return '"params" must be an object';
    return undefined;
  }
  if (id === undefined) return 'a message needs "method" (request or notification) or "id" (response)';
  if (!('result' in m) && !('error' in m)) return 'a response needs "result" or "error"';
  return undefined;
}

export function batchShapeProblem(body: unknown): string | undefined {
  if (!Array.isArray(body)) return jsonRpcShapeProblem(body);
  if (body.length === 0) return 'an empty batch is not a valid request';
  for (const [index, message] of body.entries()) {
    const problem = jsonRpcShapeProblem(message);
    if (problem) return `message ${index}: ${problem}`;
  }
  return undefined;
}
