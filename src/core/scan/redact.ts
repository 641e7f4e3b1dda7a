/**
 * Secret redaction for tool results before they reach the agent. A result is attacker-influenced
 * data of any size, so every pattern here is linear: a literal prefix or a bounded repetition, with
 * upper bounds on every quantifier so that overlapping candidates ("sk-sk-sk-…") cannot make the
 * engine rescan a long run from every start.
 */

interface SecretPattern {
  kind: string;
  re: RegExp;
  /** Replace the match (or only group `keep`-prefixed part); return undefined to leave it. */
  replace: (match: string, groups: readonly (string | undefined)[]) => string | undefined;
}

const B = '(?<![A-Za-z0-9_\\-])'; // left boundary: not inside a longer identifier
const E = '(?![A-Za-z0-9_\\-])'; // right boundary

function tag(kind: string): string {
  return `[REDACTED:${kind}]`;
}

const whole =
  (kind: string, check?: (m: string) => boolean) =>
  (m: string): string | undefined =>
    check === undefined || check(m) ? tag(kind) : undefined;

const hasDigit = (m: string): boolean => /\d/.test(m);

const PATTERNS: readonly SecretPattern[] = [
  // JWT before bearer so that "Bearer eyJ…" reports the more specific kind.
  {
    kind: 'jwt',
    re: /(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_-]{5,4096}\.eyJ[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{0,4096}(?![A-Za-z0-9_\-])/g,
    replace: whole('jwt'),
  },
  { kind: 'anthropic-key', re: new RegExp(`${B}sk-ant-[A-Za-z0-9_-]{20,256}${E}`, 'g'), replace: whole('anthropic-key') },
  // OpenAI keys: sk-…, sk-proj-…, sk-svcacct-…; real keys always mix in digits, "sk-learn-style-names" do not.
  { kind: 'openai-key', re: new RegExp(`${B}sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,256}${E}`, 'g'), replace: whole('openai-key', hasDigit) },
  { kind: 'stripe-key', re: new RegExp(`${B}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,256}${E}`, 'g'), replace: whole('stripe-key') },
  { kind: 'stripe-webhook-secret', re: new RegExp(`${B}whsec_[A-Za-z0-9]{20,256}${E}`, 'g'), replace: whole('stripe-webhook-secret') },
  { kind: 'github-token', re: new RegExp(`${B}(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})${E}`, 'g'), replace: whole('github-token') },
  { kind: 'gitlab-token', re: new RegExp(`${B}glpat-[A-Za-z0-9_-]{20,255}${E}`, 'g'), replace: whole('gitlab-token') },
  { kind: 'slack-token', re: new RegExp(`${B}xox[abposr]-[A-Za-z0-9-]{10,255}${E}`, 'g'), replace: whole('slack-token', hasDigit) },
  { kind: 'slack-webhook', re: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9_/]{20,255}/g, replace: whole('slack-webhook') },
  { kind: 'aws-access-key', re: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g, replace: whole('aws-access-key') },
  { kind: 'google-api-key', re: new RegExp(`${B}AIza[A-Za-z0-9_-]{35}${E}`, 'g'), replace: whole('google-api-key') },
  { kind: 'npm-token', re: new RegExp(`${B}npm_[A-Za-z0-9]{36}${E}`, 'g'), replace: whole('npm-token') },
  { kind: 'huggingface-token', re: new RegExp(`${B}hf_[A-Za-z0-9]{30,64}${E}`, 'g'), replace: whole('huggingface-token', hasDigit) },
  // "Bearer <token>": keep the scheme so the text still reads; require a digit or a dot so prose
  // ("bearer authentication") is left alone.
  {
    kind: 'bearer-token',
    re: /\b(Bearer)\s{1,8}([A-Za-z0-9._~+/-]{16,4096}=*)/gi,
    replace: (_m, g) => (/[\d.]/.test(g[1] ?? '') ? `${g[0] ?? 'Bearer'} ${tag('bearer-token')}` : undefined),
  },
  // scheme://user:password@host — only the password goes.
  {
    kind: 'url-password',
    re: /\b([a-z][a-z0-9+.-]{0,20}:\/\/[^\s:/?#@[\]]{1,128}):([^\s/?#@[\]]{1,256})@/gi,
    replace: (_m, g) => `${g[0] ?? ''}:${tag('url-password')}@`,
  },
  // key = value / "key": "value" for names that only ever hold secrets. Deliberately excludes plain
  // "token": pagination cursors (nextToken, page_token) must reach the agent intact.
  {
    kind: 'credential',
    re: /\b((?:password|passwd|pwd|api[_-]?key|apikey|client[_-]?secret|secret[_-]?key|secret[_-]?access[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token|private[_-]?key[_-]?id)["']?\s{0,4}[:=]\s{0,4}["']?)([^\s"',;&}{[\]]{8,512})/gi,
    replace: (_m, g) => ((g[1] ?? '').startsWith('[REDACTED') ? undefined : `${g[0] ?? ''}${tag('credential')}`),
  },
];

const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]{0,40}?)PRIVATE KEY( BLOCK)?-----/g;

/** Replace whole PEM private key blocks; an unterminated block is redacted to the end of the text. */
function redactPem(text: string): { text: string; count: number } {
  if (!text.includes('PRIVATE KEY')) return { text, count: 0 };
  let out = '';
  let last = 0;
  let count = 0;
  PEM_BEGIN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PEM_BEGIN.exec(text)) !== null) {
    const endMarker = `-----END ${m[1] ?? ''}PRIVATE KEY${m[2] ?? ''}-----`;
    const endAt = text.indexOf(endMarker, m.index + m[0].length);
    const stop = endAt < 0 ? text.length : endAt + endMarker.length;
    out += text.slice(last, m.index) + tag('private-key');
    last = stop;
    count++;
    PEM_BEGIN.lastIndex = stop;
    if (endAt < 0) break;
  }
  return { text: out + text.slice(last), count };
}

export function redactSecrets(text: string): { text: string; redactions: number } {
  if (typeof text !== 'string' || text.length === 0) return { text: typeof text === 'string' ? text : '', redactions: 0 };
  const pem = redactPem(text);
  let out = pem.text;
  let redactions = pem.count;
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    out = out.replace(p.re, (match: string, ...rest: unknown[]) => {
      // rest = capture groups…, offset, whole string[, named groups]
      const groups = rest.filter((_, i) => i < rest.length - 2).map((g) => (typeof g === 'string' ? g : undefined));
      const replaced = p.replace(match, groups);
      if (replaced === undefined) return match;
      redactions++;
      return replaced;
    });
  }
  return { text: out, redactions };
}

const MAX_DEPTH = 64;

interface Walk {
  redactions: number;
  seen: Map<object, unknown>;
}

function redactValue(value: unknown, depth: number, w: Walk): unknown {
  if (typeof value === 'string') {
    const r = redactSecrets(value);
    w.redactions += r.redactions;
    return r.text;
  }
  if (typeof value !== 'object' || value === null) return value;
  const seen = w.seen.get(value);
  if (seen !== undefined) return seen;
  if (depth >= MAX_DEPTH) {
    // Fail closed: what we cannot walk, we do not forward.
    w.redactions++;
    return tag('too-deep');
  }
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    w.seen.set(value, copy);
    for (const item of value) copy.push(redactValue(item, depth + 1, w));
    return copy;
  }
  const copy: Record<string, unknown> = {};
  w.seen.set(value, copy);
  for (const [k, v] of Object.entries(value)) copy[k] = redactValue(v, depth + 1, w);
  return copy;
}

function redactContentItem(item: unknown, w: Walk): unknown {
  if (typeof item !== 'object' || item === null) return item;
  const copy: Record<string, unknown> = { ...(item as Record<string, unknown>) };
  if (typeof copy['text'] === 'string') copy['text'] = redactValue(copy['text'], 0, w);
  const resource = copy['resource'];
  if (typeof resource === 'object' && resource !== null) {
    const r: Record<string, unknown> = { ...(resource as Record<string, unknown>) };
    if (typeof r['text'] === 'string') r['text'] = redactValue(r['text'], 0, w);
    copy['resource'] = r;
  }
  return copy;
}

/**
 * Redact secrets in a CallToolResult-like value: text content items, embedded text resources and
 * every string in structuredContent. Binary content (image/audio data) is left alone. Returns new
 * objects along every path it touches; the input is never mutated.
 */
export function redactResultSecrets(result: unknown): { result: unknown; redactions: number } {
  const w: Walk = { redactions: 0, seen: new Map() };
  try {
    if (typeof result === 'string') return { result: redactValue(result, 0, w), redactions: w.redactions };
    if (typeof result !== 'object' || result === null) return { result, redactions: 0 };
    const copy: Record<string, unknown> = { ...(result as Record<string, unknown>) };
    const content = copy['content'];
    if (Array.isArray(content)) copy['content'] = content.map((item: unknown) => redactContentItem(item, w));
    if ('structuredContent' in copy) copy['structuredContent'] = redactValue(copy['structuredContent'], 0, w);
    return { result: copy, redactions: w.redactions };
  } catch {
    // A getter that throws mid-walk: do not forward a half-redacted result.
    return { result: { content: [{ type: 'text', text: tag('unredactable-result') }], isError: true }, redactions: 1 };
  }
}
