import type { RiskCategory } from './types.js';

/**
 * Word tables behind the classifier. Kept as data so that a reviewer can read the whole
 * vocabulary in one place and a change to it is a one-line diff.
 */

export type VerbCategory = Exclude<RiskCategory, 'Financial'> | 'Financial';

function table(entries: Record<VerbCategory, readonly string[]>): ReadonlyMap<string, VerbCategory> {
  const map = new Map<string, VerbCategory>();
  for (const [category, words] of Object.entries(entries) as [VerbCategory, readonly string[]][]) {
    for (const w of words) map.set(w, category);
  }
  return map;
}

/** Verbs (and verb-like nouns) that name what a tool does. */
export const VERBS: ReadonlyMap<string, VerbCategory> = table({
  Read: [
    'get', 'gets', 'list', 'ls', 'search', 'read', 'fetch', 'describe', 'show', 'find', 'retrieve', 'view', 'inspect',
    'check', 'count', 'lookup', 'browse', 'download', 'explain', 'analyze', 'analyse', 'diagnose', 'validate', 'verify',
    'compare', 'scan', 'query', 'status', 'health', 'preview', 'discover', 'estimate', 'suggest', 'recommend', 'top',
    'log', 'logs', 'diff', 'lint', 'troubleshoot', 'audit', 'summarize', 'summarise', 'review', 'open',
    'geocode', 'lookup', 'research', 'select', 'load', 'poll', 'wait', 'is', 'has', 'exists', 'hget', 'hgetall',
    'hexists', 'lrange', 'llen', 'smembers', 'zrange', 'xrange', 'dbsize', 'info', 'details', 'ping', 'extract',
    'simulate', 'test', 'trace', 'traces', 'stats', 'metrics', 'history', 'blame', 'quote', 'watch', 'tail',
    'return', 'provide', 'access', 'screenshot', 'snapshot', 'aggregate', 'peek', 'measure', 'monitor',
  ],
  Write: [
    'create', 'add', 'update', 'put', 'set', 'write', 'edit', 'modify', 'patch', 'post', 'send', 'reply', 'comment',
    'insert', 'upsert', 'append', 'prepend', 'rename', 'move', 'copy', 'clone', 'fork', 'merge', 'assign', 'unassign',
    'tag', 'untag', 'label', 'attach', 'detach', 'upload', 'push', 'publish', 'commit', 'checkout', 'mark', 'archive',
    'unarchive', 'restore', 'import', 'configure', 'config', 'enable', 'disable', 'register', 'link', 'unlink', 'apply',
    'install', 'upgrade', 'scale', 'save', 'store', 'incr', 'decr', 'increment', 'decrement', 'transition', 'notify',
    'invite', 'star', 'unstar', 'subscribe', 'unsubscribe', 'lock', 'unlock', 'provision', 'make', 'submit', 'request',
    'react', 'approve', 'reject', 'dismiss', 'transfer', 'reprioritize', 'resolve', 'finalize', 'initiate', 'resend', 'cancel', 'void', 'manage', 'reorder', 'replace', 'expire',
    'touch', 'hset', 'lpush', 'rpush', 'sadd', 'zadd', 'xadd', 'xack', 'mset', 'cas', 'remember', 'record', 'schedule',
    'stage', 'unstage', 'rollout', 'cordon', 'drain', 'uncordon', 'mint', 'extend', 'complete', 'close',
    'reset', 'resume', 'pause', 'sync', 'init', 'initialize', 'setup', 'new', 'draft', 'share', 'grant',
    'acknowledge', 'ack', 'unresolve', 'prioritize', 'rank', 'mute', 'unmute', 'pin', 'unpin', 'follow', 'unfollow',
  ],
  Execute: [
    'exec', 'execute', 'run', 'eval', 'evaluate', 'invoke', 'call', 'trigger', 'start', 'launch', 'spawn', 'navigate',
    'click', 'type', 'press', 'fill', 'hover', 'drag', 'scroll', 'wheel', 'dispatch', 'deploy', 'rerun', 'shell',
    'command', 'script', 'interact', 'forward', 'containerize', 'transact', 'goto', 'tap', 'keypress', 'keyboard',
    'mouse', 'perform', 'process', 'automate', 'build',
  ],
  Destructive: [
    'delete', 'del', 'remove', 'rm', 'drop', 'purge', 'destroy', 'truncate', 'wipe', 'erase', 'kill', 'terminate',
    'uninstall', 'revoke', 'flush', 'clear', 'teardown', 'hdel', 'lrem', 'srem', 'zrem', 'xdel', 'lpop', 'rpop',
    'pop', 'trim', 'evict', 'deprovision', 'decommission', 'shred', 'nuke', 'obliterate', 'unregister', 'overwrite',
    'discard', 'ban', 'kick', 'trash',
  ],
  Financial: [
    'pay', 'charge', 'refund', 'payout', 'purchase', 'buy', 'sell', 'swap', 'trade', 'bridge', 'withdraw', 'deposit',
    'borrow', 'repay', 'lend', 'capture', 'settle', 'tip', 'donate', 'invoice', 'bill', 'spend', 'stake', 'unstake',
    'wrap', 'unwrap', 'claim', 'supply', 'redeem',
  ],
  Other: [
    'stop', 'connect', 'disconnect', 'reconnect', 'generate', 'calculate', 'compute', 'highlight', 'annotate', 'resize',
    'render', 'format', 'parse', 'echo', 'think', 'plan', 'translate', 'tokenize', 'encode', 'decode', 'hash', 'sleep',
    'noop', 'feedback', 'hide', 'chat', 'ask', 'prompt', 'help', 'convert',
  ],
});

/**
 * Verbs that only mean money when money is nearby. "transfer" moves an issue between teams as
 * often as it moves funds; "cancel" ends a subscription as often as a pipeline run.
 */
export const MONEY_SENSITIVE_VERBS: ReadonlySet<string> = new Set([
  'transfer', 'cancel', 'send', 'create', 'update', 'finalize', 'void', 'approve', 'accept', 'issue', 'initiate',
  'submit', 'capture', 'register', 'use', 'execute', 'run', 'make', 'post', 'stream', 'supply', 'set', 'add', 'put', 'approve', 'apply',
]);

/** Objects that are about money on their own. */
export const MONEY_STRONG: ReadonlySet<string> = new Set([
  'payment', 'payments', 'invoice', 'invoices', 'refund', 'refunds', 'payout', 'payouts', 'charge', 'charges',
  'settlement', 'settlements', 'coupon', 'coupons', 'price', 'prices', 'pricing', 'billing', 'funds', 'money',
  'wallet', 'eth', 'weth', 'usdc', 'erc20', 'crypto', 'currency', 'paymentintent', 'payment_intent', 'payroll',
  'ledger', 'balance', 'tokens', 'token', 'nft', 'memecoin', 'coin', 'stablecoin', 'onchain', 'spend', 'purchase',
  'subscription', 'subscriptions', 'card', 'bank', 'upi', 'checkout', 'cash', 'dispute', 'disputes', 'chargeback',
  'loan', 'collateral', 'vault', 'liquidity', 'escrow', 'tax',
]);

/** Objects that are often, but not always, about money; two of them together (or one with a money field) count. */
export const MONEY_WEAK: ReadonlySet<string> = new Set([
  'order', 'orders', 'plan', 'plans', 'transaction', 'transactions', 'credit', 'credits', 'account', 'customer',
  'stripe', 'paypal', 'razorpay', 'square', 'merchant', 'amount', 'rewards', 'reward', 'qr', 'offer', 'sale',
  'market', 'stream', 'flow', 'asset', 'assets', 'basename', 'fee', 'fees', 'cost', 'costs',
]);

/**
 * Some strong money words are ordinary words in other domains (an auth "token", a Service Bus
 * "subscription", a notification "subscription"). Those are demoted when they appear in the name
 * next to these companions.
 */
export const MONEY_FALSE_FRIENDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['token', ['access', 'auth', 'api', 'webrtc', 'refresh', 'session', 'bearer', 'oauth', 'jwt', 'personal']],
  ['tokens', ['access', 'auth', 'api', 'refresh', 'session', 'oauth']],
  ['subscription', ['notification', 'notifications', 'topic', 'servicebus', 'pubsub', 'event', 'webhook', 'repository', 'sub']],
  ['balance', ['load']],
  ['card', ['trello', 'kanban', 'board']],
]);

/** Input fields whose presence means a value of money is being passed in. */
export const MONEY_FIELDS: ReadonlySet<string> = new Set([
  'amount', 'amounts', 'currency', 'currency_code', 'currencycode', 'price', 'unit_amount', 'unitamount', 'amount_off',
  'percent_off', 'amountusd', 'amount_usd', 'fromamount', 'sellamount', 'buyamount', 'amountin', 'amountout',
  'amounttowrap', 'amounttounwrap', 'amountethinwei', 'amounttokensinwei', 'value_usd', 'flowrate', 'wrapamount',
  'payment_method', 'iban', 'account_number', 'routing_number', 'card_number', 'shipping_amount', 'fixed_amount',
  'payment_amount', 'settle_full_balance', 'max_amount', 'tip', 'fee', 'total',
]);

/** Fields that carry code or a command for the server to run. */
export const CODE_FIELDS: ReadonlyMap<string, number> = new Map([
  ['command', 1.5], ['cmd', 1.5], ['script', 1.5], ['code', 1.2], ['shell', 1.5], ['cli_command', 1.5],
  ['sql', 1.0], ['statement', 0.8], ['sql_list', 1.2], ['function', 0.8], ['expression', 0.5], ['javascript', 1.5],
  ['js', 1.2], ['python', 1.5], ['args', 0.3], ['argv', 0.8], ['program', 1.0], ['pipeline', 0.3], ['subcommand', 0.8],
  ['api_operation', 1.0], ['query', 0.2],
]);

/** Fields that exist to confirm or force an irreversible step. */
export const FORCE_FIELDS: ReadonlySet<string> = new Set([
  'force', 'confirm', 'confirmed', 'confirmation', 'recursive', 'cascade', 'hard', 'purge', 'permanent', 'dropTarget',
  'droptarget', 'delete_data', 'deletelocaldata', 'max_deletions', 'skip_confirmation',
]);

/** Tokens that say the tool drives a browser: interaction verbs there act on live pages. */
export const BROWSER_CONTEXT: ReadonlySet<string> = new Set([
  'browser', 'puppeteer', 'playwright', 'page', 'tab', 'tabs', 'mouse', 'keyboard', 'selenium', 'webdriver', 'dom',
]);

/** Browser verbs that act on the page (the user's session, forms, purchases) rather than observe it. */
export const BROWSER_ACTIONS: ReadonlySet<string> = new Set([
  'click', 'type', 'press', 'fill', 'hover', 'drag', 'drop', 'select', 'navigate', 'scroll', 'wheel', 'upload', 'file',
  'handle', 'dialog', 'tap', 'submit', 'goto', 'back', 'forward', 'reload', 'evaluate', 'eval', 'down', 'up', 'move',
]);

/** Query languages that cannot modify data, so "execute a … query" in them is a read. */
export const READ_ONLY_QUERY_LANGUAGES: ReadonlySet<string> = new Set(['promql', 'logql', 'traceql', 'jql', 'cql', 'kql', 'graphite', 'readonly']);

/** Leading filler that hides the real verb in descriptions ("This tool will …", "Use this tool to …"). */
export const DESCRIPTION_FILLERS: readonly RegExp[] = [
  /^\s*(?:<[^>]{1,40}>\s*)+/,
  /^\s*(?:mandatory|important|note|workflow|discovery|warning|start here[^:]{0,60}|required first)\s*:[^.:]{0,160}?(?=\b[A-Z][a-z])/i,
  /^\s*(?:this|the)\s+(?:tool|action|function|endpoint|command|operation)\s+(?:will\s+|can\s+(?:only\s+be\s+used\s+to\s+)?|allows?\s+(?:you\s+)?(?:to\s+)?|lets\s+you\s+|is\s+used\s+to\s+|helps?\s+(?:you\s+)?(?:to\s+)?|uses?\s+[^.]{0,40}?\s+to\s+)?/i,
  /^\s*use\s+this\s+(?:tool|action|function)\s+to\s+/i,
  /^\s*(?:a\s+)?tools?\s+(?:for|to|that)\s+/i,
  /^\s*(?:allows?|lets?|helps?)\s+(?:you\s+|users?\s+)?(?:to\s+)?/i,
  /^\s*(?:you\s+can\s+|can\s+be\s+used\s+to\s+|used\s+to\s+)/i,
  /^\s*(?:quickly|directly|automatically|safely|efficiently|recursively|simply|please|just)\s+/i,
];

export interface Phrase {
  readonly category: RiskCategory;
  readonly weight: number;
  /** Matched against the lower-cased description. */
  readonly pattern: RegExp;
  readonly label: string;
  /** Words of which at least one must occur before the regex runs; a set lookup is far cheaper than a regex scan. */
  readonly triggers: readonly string[];
}

/** Description phrases. Weights are below a name verb's so that a phrase supports rather than decides. */
export const PHRASES: readonly Phrase[] = [
  { category: 'Read', weight: 1.2, label: 'a read-only statement in the description', triggers: ['read', 'readonly', 'without', 'side', 'does'], pattern: /\bread[- ]?only\b|\bwithout (?:modifying|changing|side effects)|\bno side effects\b|\bdoes not (?:modify|change)\b/i },
  { category: 'Destructive', weight: 1.5, label: 'a warning in the description that the effect is permanent', triggers: ['permanently', 'permanent', 'irreversible', 'irreversibly', 'undone', 'recovered', 'reversed', 'reversible'], pattern: /\bpermanently\b|\birreversibl[ey]\b|\bcannot be (?:undone|recovered|reversed)\b|\bcan(?:'|no)t be undone\b|\bnot reversible\b/i },
  { category: 'Destructive', weight: 1.6, label: 'a mention of overwriting or discarding data in the description', triggers: ['overwrite', 'overwrites', 'overwriting', 'overwritten', 'discard', 'discards', 'discarding', 'wipe', 'wipes', 'deleting', 'data'], pattern: /\boverwrit(?:e|es|ing|ten)\b|\bdiscard(?:s|ing)? (?:all )?(?:changes|data)\b|\bwipes?\b|\bdeleting the associated\b|\ball (?:its|their|associated) data\b/i },
  { category: 'Execute', weight: 1.4, label: 'a mention of running arbitrary code or commands in the description', triggers: ['arbitrary', 'command', 'commands', 'javascript', 'code', 'script'], pattern: /\barbitrary (?:code|commands?|javascript|sql|scripts?)\b|\b(?:shell|terminal|cli|kubectl|bash) commands?\b|\bexecute (?:any|a|the given) (?:[a-z]+ )?(?:command|script|code)\b|\bjavascript\b|\bcode snippet\b|\brun (?:a |the )?(?:script|command)\b/i },
  { category: 'Execute', weight: 0.8, label: 'a mention of running data-changing statements in the description', triggers: ['query', 'queries', 'statement', 'statements', 'transaction', 'transactions'], pattern: /\b(?:insert|update|delete|ddl|dml)\b[^.]{0,40}\b(?:queries|query|statements?)\b|\bsql (?:statements?|transactions?)\b|\bin a transaction\b/i },
  { category: 'Financial', weight: 1.3, label: 'a mention of moving money in the description', triggers: ['funds', 'money', 'tokens', 'payment', 'payments', 'eth', 'usdc', 'refund', 'payout', 'charge'], pattern: /\b(?:transfer|send|move)s? (?:funds|money|tokens|payments?|eth|usdc|native tokens)\b|\bpayments? without\b|\bcapture (?:a )?payments?\b|\b(?:issue|initiate|create) (?:a |an )?(?:refund|payout|payment|charge)\b|\bhandles payments\b/i },
  { category: 'Financial', weight: 0.6, label: 'a mention of payments or billing in the description', triggers: ['payment', 'payments', 'invoice', 'invoices', 'refund', 'refunds', 'payout', 'payouts', 'billing', 'funds', 'swap', 'trade', 'onchain', 'wallet', 'subscription', 'subscriptions', 'stripe', 'paypal', 'razorpay'], pattern: /\b(?:payments?|invoices?|refunds?|payouts?|billing|subscriptions? (?:plan|billing)|funds|swap|trade|onchain|wallet|stripe|paypal|razorpay)\b/i },
];

/** Mentions of a further, destructive capability inside a multi-purpose tool ("create, patch, or delete"). */
export const SECONDARY_DESTRUCTIVE_WORDS: ReadonlySet<string> = new Set([
  'delete', 'deletes', 'deleting', 'remove', 'removes', 'removing', 'drop', 'drops', 'dropping', 'purge', 'purges',
  'purging', 'cancel', 'cancels', 'cancelling', 'uninstall',
]);
export const SECONDARY_DESTRUCTIVE: RegExp = /\b(?:or|and|,)\s+(?:permanently\s+)?(?:delet(?:e|es|ing)|remov(?:e|es|ing)|drop(?:s|ping)?|purg(?:e|es|ing)|cancel(?:s|ling)?|uninstall)\b/i;

/** Nouns that, when they are all a name has, still suggest a read ("pods_top", "db_stats", "git_status"). */
export const READ_NOUNS: ReadonlySet<string> = new Set([
  'info', 'details', 'detail', 'stats', 'statistics', 'summary', 'metadata', 'schema', 'size', 'status', 'health',
  'overview', 'positions', 'portfolio', 'version', 'usage', 'mentions', 'indexes', 'profile', 'vaults', 'catalog',
  'report', 'insights', 'config', 'configuration', 'allowance', 'events', 'history', 'changelog', 'definitions',
]);


/**
 * Verbs too vague to decide on their own when they lead a name ("request_reviewers",
 * "manage_subscription", "initialize_connection"); they count for less than a clear verb.
 */
export const WEAK_VERBS: ReadonlySet<string> = new Set([
  'request', 'log', 'logs', 'status', 'health', 'info', 'details', 'stats', 'metrics', 'history', 'trace', 'traces',
  'test', 'type', 'config', 'label', 'tag', 'record', 'process', 'command', 'script', 'shell', 'open', 'load', 'watch',
  'tail', 'top', 'new', 'draft', 'plan', 'help', 'prompt', 'ask', 'chat', 'format', 'hash', 'manage', 'init',
  'initialize', 'setup', 'reset', 'comment', 'select', 'is', 'has', 'check', 'make', 'perform', 'mouse', 'keyboard',
  'quote', 'monitor', 'review', 'research', 'connect', 'disconnect', 'reconnect', 'compute', 'invoice', 'access',
]);

/** Words that show money is involved when they appear in a description (counted at most twice). */
export const MONEY_DESCRIPTION_WORDS: ReadonlySet<string> = new Set([
  'payment', 'payments', 'invoice', 'invoices', 'refund', 'refunds', 'payout', 'payouts', 'billing', 'funds', 'swap',
  'trade', 'onchain', 'wallet', 'nft', 'nfts', 'erc20', 'erc721', 'tokens', 'eth', 'sol', 'usdc', 'crypto',
  'cryptocurrency', 'settlement', 'settlements', 'charge', 'charges', 'price', 'prices', 'coupon', 'currency',
]);

/** Payment providers named in a description; a weak hint only, since their APIs also manage customers and products. */
export const MONEY_PROVIDERS: ReadonlySet<string> = new Set(['stripe', 'paypal', 'razorpay', 'square', 'adyen', 'braintree', 'plaid', 'coinbase']);

/** Observability back-ends whose query languages are read-only. */
export const READ_ONLY_QUERY_SERVERS: ReadonlySet<string> = new Set([
  'prometheus', 'loki', 'tempo', 'graphite', 'pyroscope', 'thanos', 'mimir', 'cortex', 'victoriametrics',
]);

/** Verbs that, with an overwrite warning in the description, replace data rather than edit it. */
export const OVERWRITING_VERBS: ReadonlySet<string> = new Set(['write', 'put', 'save', 'replace', 'upload', 'import', 'copy', 'move', 'set']);

/** Objects that make a "run/execute/write" tool a statement runner with whatever effect the statement has. */
export const STATEMENT_OBJECTS: ReadonlySet<string> = new Set(['query', 'queries', 'sql', 'statement', 'statements', 'transaction', 'transact', 'ddl', 'dml']);
