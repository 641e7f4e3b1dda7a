import { GATEHOUSE_VERSION } from '../version.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  RootsListChangedNotificationSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type ServerNotification,
  type ServerRequest,
  type ServerResult,
} from '@modelcontextprotocol/sdk/types.js';
import { routeResource } from './catalog.js';
import { DownstreamSession, type Gateway } from './gateway.js';
import { handle } from './handle.js';
import { page } from './paging.js';
import { callTool } from './call-tool.js';
import { describe, isUpstreamFault } from './upstream-errors.js';
import type { Upstream } from './upstream.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;



/** For requests other than tools/call, an upstream fault becomes a JSON-RPC error naming the server. */
async function relay(upstream: Upstream, method: string, params: Record<string, unknown> | undefined, extra: Extra): Promise<ServerResult> {
  try {
    return (await upstream.request(method, params, { signal: extra.signal })) as ServerResult;
  } catch (error) {
    if (!isUpstreamFault(error)) throw error;
    throw new McpError(ErrorCode.InternalError, `server '${upstream.name}' could not answer ${method}: ${describe(error)}`);
  }
}

/** The downstream `Server` for one agent session, with every MCP method wired to the gateway. */
export function createSessionServer(gateway: Gateway, sessionId: string, agent: string): { server: Server; session: DownstreamSession } {
  const capabilities = gateway.capabilities();
  const server = new Server({ name: 'gatehouse', version: GATEHOUSE_VERSION }, { capabilities });
  const session = new DownstreamSession(sessionId, agent, server);
  const catalog = () => gateway.catalog;

  handle(server, ListToolsRequestSchema, (request) => {
    const policy = gateway.policy.current();
    // Without a policy nothing is callable, so nothing is listed.
    const visible = policy ? [...catalog().tools.entries()].filter(([name]) => policy.visibility(name, agent) === 'listed' && gateway.guard.check(name, policy.source.block_findings) === undefined).map(([, r]) => r.definition) : [];
    const { items, nextCursor } = page(visible, request.params?.cursor, gateway.pageSize);
    return { tools: items, ...(nextCursor ? { nextCursor } : {}) };
  });
  handle(server, CallToolRequestSchema, (request, extra) => callTool(gateway, session, request, extra));

  if (capabilities.prompts) {
    handle(server, ListPromptsRequestSchema, (request) => {
      const { items, nextCursor } = page([...catalog().prompts.values()].map((r) => r.definition), request.params?.cursor, gateway.pageSize);
      return { prompts: items, ...(nextCursor ? { nextCursor } : {}) };
    });
    handle(server, GetPromptRequestSchema, (request, extra) => {
      const route = catalog().prompts.get(request.params.name);
      if (!route) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${request.params.name}`);
      return relay(route.upstream, 'prompts/get', { ...request.params, name: route.upstreamName }, extra);
    });
  }

  if (capabilities.resources) {
    handle(server, ListResourcesRequestSchema, (request) => {
      const { items, nextCursor } = page([...catalog().resources.values()].map((r) => r.definition), request.params?.cursor, gateway.pageSize);
      return { resources: items, ...(nextCursor ? { nextCursor } : {}) };
    });
    handle(server, ListResourceTemplatesRequestSchema, (request) => {
      const { items, nextCursor } = page(catalog().templates.map((t) => t.definition), request.params?.cursor, gateway.pageSize);
      return { resourceTemplates: items, ...(nextCursor ? { nextCursor } : {}) };
    });
    const resourceOwner = (uri: string) => {
      const upstream = routeResource(catalog(), uri);
      if (!upstream) throw new McpError(ErrorCode.InvalidParams, `Unknown resource: ${uri}`);
      return upstream;
    };
    handle(server, ReadResourceRequestSchema, (request, extra) => relay(resourceOwner(request.params.uri), 'resources/read', request.params, extra));
    if (capabilities.resources.subscribe) {
      handle(server, SubscribeRequestSchema, async (request) => {
        await gateway.subscribe(session, request.params.uri, resourceOwner(request.params.uri));
        return {};
      });
      handle(server, UnsubscribeRequestSchema, async (request) => {
        await gateway.unsubscribe(session, request.params.uri, resourceOwner(request.params.uri));
        return {};
      });
    }
  }

  if (capabilities.completions) {
    handle(server, CompleteRequestSchema, (request, extra) => {
      const { ref } = request.params;
      if (ref.type === 'ref/prompt') {
        const route = catalog().prompts.get(ref.name);
        if (!route) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`);
        return relay(route.upstream, 'completion/complete', { ...request.params, ref: { ...ref, name: route.upstreamName } }, extra);
      }
      const upstream = catalog().templates.find((t) => t.upstreamName === ref.uri)?.upstream ?? routeResource(catalog(), ref.uri);
      if (!upstream) throw new McpError(ErrorCode.InvalidParams, `Unknown resource: ${ref.uri}`);
      return relay(upstream, 'completion/complete', request.params, extra);
    });
  }

  if (capabilities.logging) {
    // One level for the shared upstreams: the newest request from any session wins.
    handle(server, SetLevelRequestSchema, async (request, extra) => {
      await Promise.all(gateway.upstreams.filter((u) => u.capabilities.logging).map((u) => relay(u, 'logging/setLevel', request.params, extra)));
      return {};
    });
  }

  server.setNotificationHandler(RootsListChangedNotificationSchema, async () => {
    await Promise.all(gateway.upstreams.map((u) => u.notify('notifications/roots/list_changed').catch(() => undefined)));
  });
  server.onclose = () => void gateway.removeSession(session);
  return { server, session };
}
