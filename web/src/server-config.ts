import type { ServerInfo } from './types.js';

/** The server form's fields as text, and the `servers.<name>` config they stand for. */
export interface ServerFields {
  name: string;
  kind: 'stdio' | 'http';
  command: string;
  /** One argument per line. */
  args: string;
  /** KEY=value per line. */
  env: string;
  url: string;
  transport: 'streamable-http' | 'sse';
  /** Name: value per line. */
  headers: string;
}

export const EMPTY_SERVER: ServerFields = { name: '', kind: 'stdio', command: '', args: '', env: '', url: '', transport: 'streamable-http', headers: '' };

function pairs(text: string, separator: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf(separator);
    if (line.trim() === '') continue;
    if (at <= 0) out[line.trim()] = '';
    else out[line.slice(0, at).trim()] = line.slice(at + separator.length).trim();
  }
  return out;
}

export function configOf(fields: ServerFields): Record<string, unknown> {
  if (fields.kind === 'stdio') {
    return { command: fields.command.trim(), args: fields.args.split('\n').map((a) => a.trim()).filter(Boolean), env: pairs(fields.env, '=') };
  }
  return { url: fields.url.trim(), transport: fields.transport, headers: pairs(fields.headers, ':') };
}

/** A registered server back into the form; secret values are never returned, so only their names come back. */
export function fieldsOf(server: ServerInfo): ServerFields {
  return {
    name: server.name,
    kind: server.transport === 'stdio' ? 'stdio' : 'http',
    command: server.command ?? '',
    args: server.args.join('\n'),
    env: server.envKeys.map((k) => `${k}=`).join('\n'),
    url: server.url ?? '',
    transport: server.transport === 'sse' ? 'sse' : 'streamable-http',
    headers: server.headerKeys.map((k) => `${k}: `).join('\n'),
  };
}
