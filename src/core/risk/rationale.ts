import type { PrimaryVerb } from './classify.js';
import type { NormalisedTool } from './input.js';
import type { Scores } from './scores.js';
import type { RiskCategory, RiskLevel, RiskSignal } from './types.js';

/** Everything the classifier decided, kept so that the rationale can name its evidence. */
export interface Decision {
  readonly tool: NormalisedTool;
  readonly tokens: readonly string[];
  readonly stripped: string;
  readonly primary: PrimaryVerb | undefined;
  readonly signals: RiskSignal[];
  readonly scores: Scores;
  readonly best: RiskCategory;
  readonly second: RiskCategory | undefined;
  readonly hasDescription: boolean;
  readonly notes: {
    browserAction?: string;
    statementRunner?: boolean;
    overwrite?: boolean;
    readOnlyLanguage?: boolean;
    moneyWord?: string;
  };
  readonly secondaryDestructive: boolean;
  readonly codeWeight: number;
  readonly forceField: string | undefined;
}

const MEANING: Record<RiskCategory, string> = {
  Read: 'read operations that retrieve data without side effects',
  Write: 'operations that create or change records',
  Execute: 'operations that run code, commands or actions on the caller’s behalf',
  Destructive: 'operations that delete data or change it irreversibly',
  Financial: 'operations that move money or create payment obligations',
  Other: 'utility operations with no direct effect on stored data',
};

const ARTICLE: Record<RiskCategory, string> = {
  Read: 'a read',
  Write: 'a write',
  Execute: 'an execution',
  Destructive: 'a destructive',
  Financial: 'a financial',
  Other: 'an unclassified',
};

function displayName(d: Decision): string {
  const n = d.stripped.length > 0 ? d.stripped : d.tool.name;
  return n.length > 60 ? `${n.slice(0, 57)}…` : n;
}

function leadSentence(d: Decision, category: RiskCategory): string {
  const p = d.primary;
  const name = displayName(d);
  if (d.notes.readOnlyLanguage === true) {
    return `The tool runs queries in a read-only query language, so despite the '${p?.verb ?? 'execute'}' wording it only retrieves data.`;
  }
  if (d.notes.moneyWord !== undefined && category === 'Financial' && p !== undefined && p.category !== 'Financial') {
    return `'${p.verb}' applied to '${d.notes.moneyWord}' means the tool moves money or creates a payment obligation.`;
  }
  if (d.notes.browserAction !== undefined && category === 'Execute') {
    return `'${d.notes.browserAction}' on a browser tool acts on a live page with the user’s session, which makes it an execution risk.`;
  }
  if (d.notes.statementRunner === true && category === 'Execute') {
    return 'The tool runs statements supplied by the caller, so its effect is whatever the statement does, including writes and drops.';
  }
  if (d.notes.overwrite === true && category === 'Destructive') {
    return `'${p?.verb ?? 'write'}' here replaces existing content, and the description warns that it overwrites data irreversibly.`;
  }
  if (p === undefined) {
    const strongest = d.signals.filter((s) => s.category === category && s.weight > 0).sort((a, b) => b.weight - a.weight)[0];
    if (strongest === undefined || category === 'Other') {
      return `Nothing in the name '${name}', its description, input schema or annotations shows what the tool does.`;
    }
    return `The classification rests on ${strongest.evidence}, which points to ${MEANING[category]}.`;
  }
  if (p.category !== category) {
    const strongest = d.signals.filter((s) => s.category === category && s.weight > 0).sort((a, b) => b.weight - a.weight)[0];
    return `Although '${p.verb}' suggests ${ARTICLE[p.category]} operation, ${strongest?.evidence ?? 'the other evidence'} points to ${MEANING[category]}.`;
  }
  if (p.source === 'description') {
    return `The name '${name}' has no recognised verb, but the description opens with '${p.verb}', which indicates ${MEANING[category]}.`;
  }
  if (p.weak) {
    return `The '${p.verb}' verb in '${name}' suggests ${MEANING[category]}.`;
  }
  if (p.leading && d.tokens.length === 1) {
    return `The name '${name}' is a common verb for ${MEANING[category]}.`;
  }
  if (p.leading && p.separator !== '') {
    return `The '${p.verb}${p.separator}' prefix is a standard naming convention for ${MEANING[category]}.`;
  }
  if (p.leading) {
    return `The '${p.verb}' prefix in '${name}' is a standard naming convention for ${MEANING[category]}.`;
  }
  return `The '${p.verb}' verb in '${name}' is a standard naming convention for ${MEANING[category]}.`;
}

function supportSentence(d: Decision, category: RiskCategory, lead: string): string | undefined {
  const supporting: string[] = [];
  for (const s of d.signals) {
    if (s.category !== category || s.weight <= 0 || s.source === 'name' || s.source === 'override') continue;
    if (lead.includes(s.evidence)) continue;
    if (!supporting.includes(s.evidence)) supporting.push(s.evidence);
    if (supporting.length === 2) break;
  }
  if (supporting.length === 0) return undefined;
  return `This is supported by ${supporting.join(' and ')}.`;
}

function caveatSentence(d: Decision, category: RiskCategory): string | undefined {
  const reasons: string[] = [];
  if (!d.hasDescription) reasons.push('no description is provided');
  const second = d.second;
  const secondScore = second === undefined ? 0 : d.scores.get(second);
  if (second !== undefined && secondScore >= 1.5 && secondScore >= 0.5 * d.scores.get(category)) {
    const against = d.signals.filter((s) => s.category === second && s.weight > 0).sort((a, b) => b.weight - a.weight)[0];
    reasons.push(`the signals disagree (${against?.evidence ?? 'other evidence'} points to ${ARTICLE[second]} operation)`);
  }
  const ann = d.tool.annotations;
  if (ann.readOnlyHint === true && category !== 'Read' && category !== 'Other') {
    reasons.push('the server’s readOnlyHint claims otherwise but annotations cannot lower risk');
  }
  if (ann.destructiveHint === false && category === 'Destructive') {
    reasons.push('the server’s destructiveHint:false is ignored because annotations cannot lower risk');
  }
  if (reasons.length === 0) {
    if (ann.destructiveHint === true && category !== 'Destructive' && category !== 'Financial') {
      return 'The server marks the tool destructive, so its level is raised.';
    }
    if (d.secondaryDestructive && category === 'Write') {
      return 'The description also mentions a delete-style capability, so its level is raised.';
    }
    return undefined;
  }
  const text = reasons.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}, so confidence is reduced.`;
}

/** One to three plain sentences: the deciding evidence, what supports it, and why confidence is lower. */
export function buildRationale(
  d: Decision,
  category: RiskCategory,
  overridden: { category: RiskCategory; level: RiskLevel; classifier: RiskCategory; classifierLevel: RiskLevel } | undefined,
): string {
  if (overridden !== undefined) {
    const lead = `A configuration override sets this tool to ${overridden.category} (${overridden.level}).`;
    const classifierView =
      overridden.classifier === overridden.category
        ? `The classifier agrees on ${overridden.classifier}: ${leadSentence(d, overridden.classifier).replace(/^./, (c) => c.toLowerCase())}`
        : `Without it the classifier would say ${overridden.classifier} (${overridden.classifierLevel}): ${leadSentence(d, overridden.classifier).replace(/^./, (c) => c.toLowerCase())}`;
    return `${lead} ${classifierView}`;
  }
  const lead = leadSentence(d, category);
  const parts = [lead];
  const support = supportSentence(d, category, lead);
  if (support !== undefined) parts.push(support);
  const caveat = caveatSentence(d, category);
  if (caveat !== undefined) parts.push(caveat);
  return parts.join(' ');
}
