import {
  BROWSER_ACTIONS,
  BROWSER_CONTEXT,
  CODE_FIELDS,
  DESCRIPTION_FILLERS,
  FORCE_FIELDS,
  MONEY_FALSE_FRIENDS,
  MONEY_FIELDS,
  MONEY_SENSITIVE_VERBS,
  MONEY_STRONG,
  MONEY_WEAK,
  OVERWRITING_VERBS,
  PHRASES,
  READ_NOUNS,
  READ_ONLY_QUERY_SERVERS,
  SECONDARY_DESTRUCTIVE,
  STATEMENT_OBJECTS,
  VERBS,
  WEAK_VERBS,
} from './lexicon.js';
import { BIT_PROVIDER, BIT_QUERY, BIT_READ_ONLY_LANGUAGE, BIT_SECONDARY_DESTRUCTIVE, BIT_SELECT, BIT_SQL, phraseBit, scanDescriptionWords, type DescriptionWords } from './description-words.js';
import { LEAD_WINDOW_CHARS, normaliseTool, type NormalisedTool } from './input.js';
import { buildRationale, type Decision } from './rationale.js';
import { Scores } from './scores.js';
import { splitIdentifier, tokenizeName } from './tokens.js';
import {
  DEFAULT_LEVEL,
  RISK_LEVELS,
  type ClassifyOptions,
  type RiskAssessment,
  type RiskCategory,
  type RiskLevel,
  type RiskSignal,
  type ToolDefinitionInput,
} from './types.js';

const SENTENCE_END = /[.!?](?=\s)/;
const READ_ONLY_QUERY_SERVERS_LIST: readonly string[] = [...READ_ONLY_QUERY_SERVERS];

/** Phrase matching looks at this much of the description; purposes and warnings come first in practice. */
const PHRASE_WINDOW_CHARS = 2048;

const WEIGHT_PRIMARY_VERB = 3;
const WEIGHT_WEAK_PRIMARY_VERB = 1.5;
const WEIGHT_OTHER_VERB = 0.6;
const WEIGHT_LEAD_VERB = 2;
const WEIGHT_WEAK_LEAD_VERB = 1;
const WEIGHT_TITLE_VERB = 1;
const WEIGHT_BROWSER_ACTION = 4;
const WEIGHT_STATEMENT_RUNNER = 3;
const WEIGHT_OVERWRITE = 3.5;
const WEIGHT_DESTRUCTIVE_HINT = 1;
const WEIGHT_FORCE_FIELD = 0.5;
const WEIGHT_READ_NOUN = 1.5;

/** Ties resolve towards the riskier category, so an undecidable tool is never waved through as a read. */
const TIE_ORDER: readonly RiskCategory[] = ['Destructive', 'Financial', 'Execute', 'Write', 'Other', 'Read'];

export interface PrimaryVerb {
  readonly verb: string;
  readonly category: RiskCategory;
  readonly source: 'name' | 'description';
  /** The verb opens the name, so it reads as a prefix ("get_…"). */
  readonly leading: boolean;
  /** The separator that follows the verb in the name, for quoting it as written ("get_", "get-"). */
  readonly separator: string;
  readonly weak: boolean;
}

function stem(word: string): string[] {
  const out = [word];
  if (word.endsWith('ies') && word.length > 4) out.push(word.slice(0, -3) + 'y');
  if (word.endsWith('es') && word.length > 3) out.push(word.slice(0, -2));
  if (word.endsWith('s') && word.length > 2) out.push(word.slice(0, -1));
  if (word.endsWith('ing') && word.length > 5) out.push(word.slice(0, -3), word.slice(0, -3) + 'e');
  return out;
}

function lookupVerb(word: string): { verb: string; category: RiskCategory } | undefined {
  for (const candidate of stem(word)) {
    const category = VERBS.get(candidate);
    if (category !== undefined) return { verb: candidate, category };
  }
  return undefined;
}

function separatorAfter(stripped: string, verb: string): string {
  const lower = stripped.toLowerCase();
  if (!lower.startsWith(verb)) return '';
  const next = stripped.charAt(verb.length);
  return next === '_' || next === '-' || next === '.' || next === ' ' ? next : '';
}

/** The word a description really starts with, once boilerplate like "This tool will" is removed. */
export function leadWord(description: string): string {
  let head = description.length > LEAD_WINDOW_CHARS ? description.slice(0, LEAD_WINDOW_CHARS) : description;
  // Most descriptions open with their verb; only strip boilerplate when they do not.
  const quick = /^\s*([A-Za-z]+)/.exec(head);
  if (quick !== null && quick[1] !== undefined) {
    const word = quick[1].toLowerCase();
    if (lookupVerb(word) !== undefined) return word;
  }
  for (let pass = 0; pass < 3; pass++) {
    const before = head;
    for (const filler of DESCRIPTION_FILLERS) head = head.replace(filler, '');
    if (head === before) break;
  }
  const m = /[A-Za-z]+/.exec(head);
  return m === null ? '' : m[0].toLowerCase();
}

function addSignal(
  signals: RiskSignal[],
  scores: Scores,
  source: RiskSignal['source'],
  category: RiskCategory,
  weight: number,
  evidence: string,
): void {
  signals.push({ source, category, weight, evidence });
  scores.add(category, weight);
}



function hasAny(tokens: readonly string[], set: ReadonlySet<string>): string | undefined {
  for (const t of tokens) if (set.has(t)) return t;
  return undefined;
}

function shortQuote(text: string): string {
  const head = text.length > 120 ? text.slice(0, 120) : text;
  const stop = SENTENCE_END.exec(head);
  const end = Math.min(stop === null ? head.length : stop.index, 70);
  // Whitespace and quote marks collapse to one space so the quote can sit inside the rationale's own quotes.
  const clean = head.slice(0, end).replace(/[\s"'`]+/g, ' ').trim();
  return clean.length > 60 ? `${clean.slice(0, 57).trimEnd()}…` : clean;
}

/** Picks the verb that says what the tool does: a leading verb, else a trailing one (resource_verb style), else the first. */
function findPrimaryNameVerb(tokens: readonly string[]): { index: number; verb: string; category: RiskCategory } | undefined {
  if (tokens.length === 0) return undefined;
  const first = tokens[0];
  if (first !== undefined) {
    const c = VERBS.get(first);
    if (c !== undefined) return { index: 0, verb: first, category: c };
  }
  const lastIndex = tokens.length - 1;
  const last = tokens[lastIndex];
  if (lastIndex > 0 && last !== undefined) {
    const c = VERBS.get(last);
    if (c !== undefined && !WEAK_VERBS.has(last)) return { index: lastIndex, verb: last, category: c };
  }
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === undefined) continue;
    const c = VERBS.get(t);
    if (c !== undefined) return { index: i, verb: t, category: c };
  }
  // Nominalised names ("ecs_troubleshooting_tool") still carry their verb.
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === undefined || t.length < 5) continue;
    const hit = lookupVerb(t);
    if (hit !== undefined) return { index: i, verb: hit.verb, category: hit.category };
  }
  return undefined;
}

interface MoneyEvidence {
  readonly inContext: boolean;
  readonly word: string | undefined;
}

function moneyEvidence(tokens: readonly string[], moneyField: string | undefined, words: DescriptionWords, strongPhrase: boolean): MoneyEvidence {
  let score = 0;
  let word: string | undefined;
  let strong = 0;
  let weak = 0;
  for (const t of tokens) {
    if (MONEY_STRONG.has(t)) {
      const friends = MONEY_FALSE_FRIENDS.get(t);
      if (friends !== undefined && tokens.some((o) => friends.includes(o))) continue;
      strong++;
      word ??= t;
    } else if (MONEY_WEAK.has(t)) {
      weak++;
    }
  }
  score += 2 * Math.min(strong, 2) + Math.min(weak, 2);
  if (moneyField !== undefined) {
    score += 2;
    word ??= moneyField;
  }
  if (strongPhrase) score += 2;
  score += words.moneyWords.length;
  word ??= words.moneyWords[0];
  if ((words.mask & BIT_PROVIDER) !== 0) score += 0.5;
  return { inContext: score >= 2, word };
}

function pickCategory(scores: Scores): { best: RiskCategory; second: RiskCategory | undefined } {
  let best: RiskCategory = 'Other';
  let bestScore = 0;
  let second: RiskCategory | undefined;
  let secondScore = 0;
  for (const c of TIE_ORDER) {
    const v = scores.get(c);
    if (v > bestScore) {
      if (bestScore > 0) {
        second = best;
        secondScore = bestScore;
      }
      best = c;
      bestScore = v;
    } else if (v > secondScore) {
      second = c;
      secondScore = v;
    }
  }
  return { best, second };
}

function raise(level: RiskLevel, to: RiskLevel): RiskLevel {
  return RISK_LEVELS.indexOf(to) > RISK_LEVELS.indexOf(level) ? to : level;
}

function bump(level: RiskLevel): RiskLevel {
  const i = RISK_LEVELS.indexOf(level);
  return RISK_LEVELS[Math.min(i + 1, RISK_LEVELS.length - 1)] ?? level;
}

function serverShortName(server: string): string {
  const slash = server.lastIndexOf('/');
  return slash >= 0 ? server.slice(slash + 1) : server;
}

function analyse(tool: NormalisedTool, options: ClassifyOptions | undefined): Decision {
  const signals: RiskSignal[] = [];
  const scores = new Scores();
  const { stripped, tokens } = tokenizeName(tool.name, options?.serverPrefixes, serverShortName(tool.server));
  const description = tool.description;
  const descHead = description.length > PHRASE_WINDOW_CHARS ? description.slice(0, PHRASE_WINDOW_CHARS) : description;
  const hasDescription = /\S/.test(descHead);
  const notes: Decision['notes'] = {};

  // Name verbs.
  const found = findPrimaryNameVerb(tokens);
  // "remove_user_from_group" / "Remove a label from an issue" detach a relation; the user and the label still exist.
  const relationRemoval = tokens.includes('from') || (description.includes('emove') && /\bremove[sd]?\b[^.]{0,60}\bfrom\b/i.test(description.slice(0, LEAD_WINDOW_CHARS)));
  const browser = hasAny(tokens, BROWSER_CONTEXT);
  // Prefer the name's own verb as the action ("browser_file_upload" acts by uploading, not by "file").
  const browserAction =
    browser === undefined
      ? undefined
      : found !== undefined && BROWSER_ACTIONS.has(found.verb)
        ? found.verb
        : tokens.find((t) => BROWSER_ACTIONS.has(t));
  const adjust = (verb: string, category: RiskCategory): RiskCategory => {
    if (verb === 'remove' && category === 'Destructive' && relationRemoval) return 'Write';
    if (browserAction !== undefined && verb === browserAction) return 'Execute';
    return category;
  };
  let primary: PrimaryVerb | undefined;
  if (found !== undefined) {
    const category = adjust(found.verb, found.category);
    const weak = WEAK_VERBS.has(found.verb);
    primary = {
      verb: found.verb,
      category,
      source: 'name',
      leading: found.index === 0,
      separator: found.index === 0 ? separatorAfter(stripped, found.verb) : '',
      weak,
    };
    addSignal(signals, scores, 'name', category, weak ? WEIGHT_WEAK_PRIMARY_VERB : WEIGHT_PRIMARY_VERB, `'${found.verb}' in the name`);
    let extra = 0;
    for (let i = 0; i < tokens.length && extra < 3; i++) {
      const t = tokens[i];
      if (i === found.index || t === undefined) continue;
      const c = VERBS.get(t);
      if (c === undefined || WEAK_VERBS.has(t)) continue;
      addSignal(signals, scores, 'name', c, WEIGHT_OTHER_VERB, `'${t}' also in the name`);
      extra++;
    }
  } else {
    const noun = hasAny(tokens, READ_NOUNS);
    if (noun !== undefined) addSignal(signals, scores, 'name', 'Read', WEIGHT_READ_NOUN, `the name ends in '${noun}'`);
  }

  // Title (a human label such as "Create refund") agrees with or stands in for the name.
  if (tool.title.length > 0) {
    const titleTokens = splitIdentifier(tool.title);
    const first = titleTokens[0];
    const hit = first === undefined ? undefined : lookupVerb(first);
    if (hit !== undefined) addSignal(signals, scores, 'name', hit.category, WEIGHT_TITLE_VERB, `the title ('${shortQuote(tool.title)}')`);
  }

  // Browser automation: interaction verbs act on a live page with the user's session.
  if (browserAction !== undefined) {
    addSignal(signals, scores, 'name', 'Execute', WEIGHT_BROWSER_ACTION, `'${browserAction}' on a browser tool`);
    notes.browserAction = browserAction;
  }

  // Description lead verb.
  let leadVerb: { verb: string; category: RiskCategory } | undefined;
  if (hasDescription) {
    const word = leadWord(description);
    const found = word.length > 0 ? lookupVerb(word) : undefined;
    const hit = found === undefined ? undefined : { verb: found.verb, category: adjust(found.verb, found.category) };
    if (hit !== undefined) {
      leadVerb = hit;
      const weak = WEAK_VERBS.has(hit.verb);
      addSignal(signals, scores, 'description', hit.category, weak ? WEIGHT_WEAK_LEAD_VERB : WEIGHT_LEAD_VERB, `the description's opening ('${shortQuote(description)}')`);
      if (primary === undefined) {
        primary = { verb: hit.verb, category: hit.category, source: 'description', leading: false, separator: '', weak };
      }
    }
  }

  // Description phrases.
  let strongMoneyPhrase = false;
  let readOnlyPhrase = false;
  let overwritePhrase = false;
  const lowerHead = descHead.toLowerCase();
  const words = scanDescriptionWords(lowerHead);
  for (let i = 0; i < PHRASES.length; i++) {
    const phrase = PHRASES[i];
    if (phrase === undefined || (words.mask & phraseBit(i)) === 0 || !phrase.pattern.test(lowerHead)) continue;
    if (phrase.category === 'Financial' && phrase.weight > 1) strongMoneyPhrase = true;
    if (phrase.category === 'Read') readOnlyPhrase = true;
    if (phrase.label.includes('overwriting')) overwritePhrase = true;
    addSignal(signals, scores, 'description', phrase.category, phrase.weight, phrase.label);
  }

  // Input schema.
  let codeField: string | undefined;
  let codeWeight = 0;
  let forceField: string | undefined;
  let moneyField: string | undefined;
  let sqlField = false;
  for (const key of tool.schemaKeys) {
    const k = key.toLowerCase();
    if (moneyField === undefined && MONEY_FIELDS.has(k)) moneyField = key;
    if (k === 'sql' || k === 'sql_list' || k === 'statement') sqlField = true;
    const w = CODE_FIELDS.get(k);
    if (w !== undefined && w > codeWeight) {
      codeWeight = w;
      codeField = key;
    }
    if (forceField === undefined && FORCE_FIELDS.has(k)) forceField = key;
  }
  if (codeField !== undefined && codeWeight >= 0.5) addSignal(signals, scores, 'schema', 'Execute', codeWeight, `the '${codeField}' parameter`);
  if (forceField !== undefined) addSignal(signals, scores, 'schema', 'Destructive', WEIGHT_FORCE_FIELD, `the '${forceField}' parameter`);

  // Annotations are untrusted: they can add risk, never remove it.
  const ann = tool.annotations;
  if (ann.destructiveHint === true) addSignal(signals, scores, 'annotation', 'Destructive', WEIGHT_DESTRUCTIVE_HINT, "the server's destructiveHint");
  if (ann.openWorldHint === true) signals.push({ source: 'annotation', category: 'Other', weight: 0, evidence: "the server's openWorldHint (talks to external systems)" });

  // Statement runners: the effect is whatever the caller's SQL does.
  const statementObject = hasAny(tokens, STATEMENT_OBJECTS);
  const lowerServer = tool.server.toLowerCase();
  const readOnlyLanguage =
    readOnlyPhrase ||
    (words.mask & BIT_READ_ONLY_LANGUAGE) !== 0 ||
    ((words.mask & BIT_SELECT) !== 0 && (words.mask & BIT_QUERY) !== 0) ||
    READ_ONLY_QUERY_SERVERS_LIST.some((srv) => lowerServer.includes(srv)) ||
    tokens.some((t) => READ_ONLY_QUERY_SERVERS.has(t));
  const sqlEvidence = sqlField || (words.mask & BIT_SQL) !== 0;
  const runnerVerb = primary !== undefined && (primary.category === 'Execute' || primary.category === 'Write' || primary.verb === 'query');
  if (!readOnlyLanguage && (statementObject !== undefined || primary?.verb === 'query') && runnerVerb && (sqlEvidence || (primary !== undefined && primary.category !== 'Read' && statementObject !== undefined))) {
    addSignal(signals, scores, 'description', 'Execute', WEIGHT_STATEMENT_RUNNER, 'it runs caller-supplied statements');
    notes.statementRunner = true;
  }

  // A write that the description says overwrites is an irreversible replacement.
  if (overwritePhrase && primary !== undefined && OVERWRITING_VERBS.has(primary.verb)) {
    addSignal(signals, scores, 'description', 'Destructive', WEIGHT_OVERWRITE, `'${primary.verb}' replaces existing data`);
    notes.overwrite = true;
  }

  let { best, second } = pickCategory(scores);

  // A read-only query language makes "execute … query" a read, whatever the verb says.
  if (best === 'Execute' && readOnlyLanguage && (statementObject !== undefined || (words.mask & BIT_QUERY) !== 0) && codeWeight < 1.2) {
    notes.readOnlyLanguage = true;
    signals.push({ source: 'description', category: 'Read', weight: scores.execute, evidence: 'a read-only query language' });
    // The execute wording is explained by the query language, so it no longer counts against Read.
    scores.read += scores.execute;
    scores.execute = 0;
    ({ best, second } = pickCategory(scores));
  }

  // Money nearby turns a create/update/send/execute into a financial action.
  const money = moneyEvidence(tokens, moneyField, words, strongMoneyPhrase);
  if (money.inContext && (best === 'Write' || best === 'Execute' || best === 'Financial')) {
    // A clear verb in the name decides on its own ("notify" about a payment is still a notification).
    const verbs = primary !== undefined && primary.source === 'name' && !primary.weak ? [primary.verb] : [primary?.verb, leadVerb?.verb];
    if (verbs.some((v) => v !== undefined && (MONEY_SENSITIVE_VERBS.has(v) || VERBS.get(v) === 'Financial'))) {
      // The write/execute verb is the very evidence of a money movement here, so it stops counting against Financial.
      const moved = scores.write + scores.execute + 0.1;
      scores.write = 0;
      scores.execute = 0;
      addSignal(signals, scores, 'name', 'Financial', moved, `'${primary?.verb ?? leadVerb?.verb ?? ''}' applied to '${money.word ?? 'money'}'`);
      notes.moneyWord = money.word ?? 'money';
      ({ best, second } = pickCategory(scores));
    }
  }

  return { tool, tokens, stripped, primary, signals, scores, best, second, hasDescription, notes, secondaryDestructive: (words.mask & BIT_SECONDARY_DESTRUCTIVE) !== 0 && SECONDARY_DESTRUCTIVE.test(lowerHead), codeWeight, forceField };
}

function levelFor(d: Decision): RiskLevel {
  let level = DEFAULT_LEVEL[d.best];
  const ann = d.tool.annotations;
  if (d.best === 'Execute' && d.codeWeight >= 1.2) level = raise(level, 'Critical');
  if (ann.destructiveHint === true && (d.best === 'Read' || d.best === 'Write' || d.best === 'Other' || d.best === 'Execute')) level = bump(level);
  if (d.best === 'Write' && (d.secondaryDestructive || d.forceField !== undefined)) level = raise(level, 'High');
  if (d.best === 'Read' && ann.readOnlyHint === false) level = raise(level, 'Medium');
  return level;
}

function confidenceFor(d: Decision): number {
  const top = d.scores.get(d.best);
  if (top <= 0) return 0.15;
  const total = d.scores.total();
  const share = top / total;
  const saturation = Math.min(1, top / 5);
  let c = 0.25 + 0.7 * share * (0.5 + 0.5 * saturation);
  if (!d.hasDescription) c *= 0.8;
  const secondScore = d.second === undefined ? 0 : d.scores.get(d.second);
  if (secondScore >= 1.5 && secondScore >= 0.5 * top) c *= 0.85;
  const ann = d.tool.annotations;
  if (ann.readOnlyHint === true && d.best !== 'Read' && d.best !== 'Other') c *= 0.9;
  if (ann.destructiveHint === false && d.best === 'Destructive') c *= 0.9;
  return Math.round(Math.max(0.05, Math.min(0.97, c)) * 100) / 100;
}

/**
 * Classifies an MCP tool definition into a risk category and level, with the evidence behind it.
 * Pure and deterministic; never throws. A definition it cannot make sense of comes back as `Other`
 * with low confidence, and an internal failure comes back as `Other`/`High` rather than a safe-looking read.
 */
export function classifyTool(def: ToolDefinitionInput, options?: ClassifyOptions): RiskAssessment {
  try {
    const tool = normaliseTool(def);
    const decision = analyse(tool, options);
    let category = decision.best;
    let level = levelFor(decision);
    let confidence = confidenceFor(decision);
    const override = options?.override;
    const signals = decision.signals;
    let overridden: { category: RiskCategory; level: RiskLevel; classifier: RiskCategory; classifierLevel: RiskLevel } | undefined;
    if (override !== undefined && (override.category !== undefined || override.level !== undefined)) {
      const classifier = category;
      const classifierLevel = level;
      if (override.category !== undefined) {
        category = override.category;
        level = DEFAULT_LEVEL[category];
        confidence = 1;
      }
      if (override.level !== undefined) level = override.level;
      signals.push({ source: 'override', category, weight: 0, evidence: `configuration sets ${category}/${level}` });
      overridden = { category, level, classifier, classifierLevel };
    }
    const rationale = buildRationale(decision, category, overridden);
    return { category, level, confidence, rationale, signals };
  } catch {
    return {
      category: 'Other',
      level: 'High',
      confidence: 0,
      rationale: 'The tool definition could not be analysed, so it is treated as an unknown tool with elevated risk.',
      signals: [],
    };
  }
}
