import type { IncomingMessage } from 'node:http';

/**
 * DNS-rebinding protection: a page on evil.example that resolves its name to 127.0.0.1 still sends
 * `Host: evil.example` and `Origin: http://evil.example`, so both must name this gateway.
 */
export class OriginGuard {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(port: number, extraHosts: readonly string[], extraOrigins: readonly string[]) {
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].map((h) => `${h}:${port}`);
    this.hosts = new Set([...loopback, ...extraHosts].map((h) => h.toLowerCase()));
    this.origins = new Set([...loopback.flatMap((h) => [`http://${h}`, `https://${h}`]), ...extraOrigins].map((o) => o.toLowerCase()));
  }

  /** The reason a request is refused, or undefined when it may proceed. */
  check(req: IncomingMessage): string | undefined {
    const host = req.headers.host?.toLowerCase();
    if (!host || !this.hosts.has(host)) return `Host header ${JSON.stringify(req.headers.host ?? '')} is not allowed`;
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.has(origin.toLowerCase())) return `Origin ${JSON.stringify(origin)} is not allowed`;
    return undefined;
  }
}
