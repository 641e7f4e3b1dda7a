import { isIP } from 'node:net';

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}

/** Off loopback anyone on the network could connect, so authentication is mandatory there. */
export function anonymousAllowed(listenHost: string, anonymousOnLoopback: boolean): boolean {
  return anonymousOnLoopback && isLoopbackHost(listenHost);
}
