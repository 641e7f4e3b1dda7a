import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { AdminServices } from '../../../admin/services.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A JSON answer; routes that stream (SSE, downloads) write to `res` themselves and return `undefined`. */
export type Reply = { readonly status: number; readonly body: unknown } | undefined;

export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly services: AdminServices;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/**
 * One endpoint: its path, the zod schemas that validate what it is sent, what it answers (for the OpenAPI
 * document, generated from these same schemas), and its handler, which sees only validated input.
 */
export interface Route<P = unknown, Q = unknown, B = unknown> {
  readonly method: Method;
  /** OpenAPI style: `/api/servers/{name}`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  readonly responses: Readonly<Record<number, { readonly description: string; readonly schema?: z.ZodType; readonly contentType?: string }>>;
  handle(input: RouteInput<P, Q, B>): Promise<Reply>;
}

/** Infers a route's input types from its schemas, so handlers are typed by what validation guarantees. */
export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(definition: Route<P, Q, B>): Route {
  return definition as unknown as Route;
}

export interface CompiledRoute {
  readonly route: Route;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

/** Turns `{name}` segments into capture groups, once, when the table is built. */
export function compileRoutes(routes: readonly Route[]): CompiledRoute[] {
  return routes.map((r) => {
    const names: string[] = [];
    const source = r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { route: r, pattern: new RegExp(`^${source}$`), names };
  });
}
