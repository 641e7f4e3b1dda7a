import {
  JSONRPCErrorResponseSchema,
  JSONRPCMessageSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  JSONRPCResultResponseSchema,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';

/**
 * The same answer as `JSONRPCMessageSchema.parse`, for less work.
 *
 * The SDK's schema is a union tried in order: request, notification, result response, error response; the first
 * that succeeds wins. A reply from an upstream therefore fails two schemas (each failure builds its issues) before
 * the third succeeds. Here the keys pick the option the union would settle on first; when that option succeeds,
 * every option before it in the union's order fails on a key it requires (request and notification need
 * "method"; a request needs "id"; a result response needs "result"), so the result is the union's. When it fails,
 * the union itself decides, so odd messages get exactly the SDK's answer and error.
 */
export function parseJsonRpcMessage(value: unknown): JSONRPCMessage {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const likely = 'method' in value ? ('id' in value ? JSONRPCRequestSchema : JSONRPCNotificationSchema) : 'result' in value ? JSONRPCResultResponseSchema : JSONRPCErrorResponseSchema;
    const parsed = likely.safeParse(value);
    if (parsed.success) return parsed.data;
  }
  return JSONRPCMessageSchema.parse(value);
}
