import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ErrorCode, McpError, type ServerNotification, type ServerRequest, type ServerResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { describeIssues, issuesFromZod } from '../core/validation.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type MethodSchema = z.ZodObject<{ method: z.ZodLiteral<string> }>;

/**
 * Registers a request handler whose params are validated here, so that bad params are answered with -32602 and
 * the path of the bad field. (Registering the SDK schema directly makes a validation failure surface as -32603,
 * an internal error, which blames the gateway for the client's mistake.)
 */
export function handle<S extends MethodSchema>(server: Server, schema: S, handler: (request: z.infer<S>, extra: Extra) => ServerResult | Promise<ServerResult>): void {
  const methodOnly = z.looseObject({ method: schema.shape.method });
  server.setRequestHandler(methodOnly as never, (request: unknown, extra: Extra) => {
    const parsed = schema.safeParse(request);
    if (!parsed.success) throw new McpError(ErrorCode.InvalidParams, `Invalid params: ${describeIssues(issuesFromZod(parsed.error))}`);
    return handler(parsed.data, extra);
  });
}
