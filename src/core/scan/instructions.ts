import type { Finding, Severity } from './types.js';
import { originalSlice, sentenceEnd, sentenceStart, toEvidence, type NormalizedText } from './text.js';

/**
 * Detectors for instructions aimed at the model rather than at the reader of a tool description:
 * the patterns published in tool-poisoning write-ups (Invariant Labs' <IMPORTANT> block, "do not
 * tell the user", "read ~/.ssh/id_rsa and pass it as 'sidenote'").
 *
 * Every regex here is linear: alternations of literals and bounded repetitions only, so a hostile
 * 64 KB description cannot make matching backtrack.
 */

interface Rule {
  re: RegExp;
  severity: Severity;
}

// Tag names used to fence instructions off from what a UI shows. Exact names only: real servers use
// descriptive tags such as <use_case>, <workflow>, <important_notes>, <example> (Neon) and those are
// structure for the model, not concealment.
const HIDDEN_TAG_NAMES =
  'important|system|system[-_ ]?prompt|system[-_ ]?message|system[-_ ]?instructions?|instructions?|secret|hidden|admin|override|sudo|critical|ai[-_ ]?instructions?|assistant[-_ ]?instructions?|developer[-_ ]?instructions?|prompt|jailbreak';

const HIDDEN_TAG_RULES: readonly Rule[] = [
  { re: new RegExp(`<\\s*\\/?\\s*(?:${HIDDEN_TAG_NAMES})\\s*(?:\\s[^<>]{0,80})?>`, 'gi'), severity: 'high' },
  // Chat-template delimiters have no business in a tool description.
  { re: /\[\s{0,3}\/?INST\s{0,3}\]|<<\s{0,3}\/?SYS\s{0,3}>>|<\|\s{0,3}(?:im_start|im_end|system|assistant|user|endoftext)\s{0,3}\|>/gi, severity: 'high' },
  // Markup comments are dropped by Markdown renderers but reach the model verbatim. The body may
  // not contain another "<!--", so attempts never overlap and matching stays linear.
  { re: /<!--(?:[^<-]|<(?!!--)|-(?!->)){20,2000}-->/g, severity: 'medium' },
];

const SCOPE =
  '(?:previous|prior|above|earlier|preceding|former|foregoing|original|all|any|system|safety|security|your|every)';
const FILLER = '(?:all|any|each|every|the|your|my|of|these|those|its|other|given|existing|current|prior|previous)';
const NOUN =
  '(?:instructions?|directions?|directives?|rules|prompts?|guidelines|guidance|policies|constraints|restrictions|commands|messages|context|guardrails|programming)';

const IGNORE_RULES: readonly Rule[] = [
  {
    re: new RegExp(
      `\\b(?:ignore|disregard|forget|overrule|bypass|discard)\\s+(?:${FILLER}\\s+){0,3}${SCOPE}\\s+(?:${FILLER}\\s+){0,3}${NOUN}\\b`,
      'gi',
    ),
    severity: 'high',
  },
  { re: new RegExp(`\\boverride\\s+(?:${FILLER}\\s+){0,3}(?:previous|prior|above|system|safety|your)\\s+${NOUN}\\b`, 'gi'), severity: 'high' },
  { re: /\bfrom now on,?\s+you\s+(?:are|will|must|should|shall)\b/gi, severity: 'high' },
  { re: /\bnew\s+(?:system\s+)?instructions?\s*:/gi, severity: 'high' },
];

const CONCEAL_RULES: readonly Rule[] = [
  {
    re: /\b(?:do not|don't|dont|never|must not|mustn't|should not|shouldn't|without)\s+(?:ever\s+)?(?:tell(?:ing)?|inform(?:ing)?|mention(?:ing)?|reveal(?:ing)?|disclos(?:e|ing))\s+(?:(?:this|it|that|anything|any|of|these|those|them|about|to)\s+){0,3}(?:the\s+)?(?:user|human|operator|end[- ]user)s?\b/gi,
    severity: 'high',
  },
  { re: /\b(?:do not|don't|never|must not|should not)\s+let\s+(?:the\s+)?(?:user|human)s?\s+(?:know|see|notice|find out)\b/gi, severity: 'high' },
  { re: /\bwithout\s+(?:the\s+)?(?:user|human)(?:'s|s'|s)?\s+(?:knowledge|knowing|noticing|awareness|being aware)\b/gi, severity: 'high' },
  {
    re: /\b(?:hide|conceal|keep)\s+(?:(?:this|it|that|these|the|all|of|information|instructions?|steps?|details?|message|secret|hidden|private)\s+){0,3}from\s+(?:the\s+)?(?:user|human)s?\b/gi,
    severity: 'high',
  },
  {
    re: /\b(?:the\s+)?(?:user|human)\s+(?:must|should|needs?|shall)\s+(?:not|never)\s+(?:to\s+)?(?:know|see|notice|find out|be\s+(?:told|informed|aware|notified))\b/gi,
    severity: 'high',
  },
  {
    re: /\b(?:do not|don't|never)\s+(?:mention|reveal|disclose|acknowledge)\s+(?:(?:this|these|that|the|any|of)\s+){1,3}(?:instructions?|notes?|steps?|side[- ]effects?|requirements?|tool description|redirect(?:ion)?|sidenote)\b/gi,
    severity: 'high',
  },
  { re: /\b(?:do not|don't|never)\s+(?:mention|reveal|disclose|say|admit)\s+(?:to\s+(?:the\s+)?(?:user|human)\s+)?that\s+(?:you|this|the\s+tool)\b/gi, severity: 'high' },
  {
    re: /\b(?:silently|secretly|covertly|discreetly)\s+(?:(?:also|then|and)\s+)?(?:send|forward|copy|upload|include|add|attach|read|exfiltrate|bcc|cc|transmit|post|redirect)\b/gi,
    severity: 'high',
  },
];

// Cross-tool instructions that need no catalog to recognise: the shadowing phrasing itself.
const SHADOWING_RULES: readonly Rule[] = [
  { re: /\bside[- ]effects?\s+on\s+(?:the\s+)?(?:also[- ]present\s+|other\s+|existing\s+)?[`'"]?[\w.-]{2,64}[`'"]?\s+tool/gi, severity: 'high' },
  { re: /\bwhen\s+this\s+tool\s+is\s+(?:available|present|loaded|enabled|installed)\b/gi, severity: 'high' },
  { re: /\b(?:all\s+)?other\s+tools?\s+(?:must|should|have to|has to|need to|needs to|are required to)\b/gi, severity: 'high' },
  { re: /\b(?:these|this)\s+instructions?\s+(?:also\s+)?appl(?:y|ies)\s+to\s+(?:all|every|other|any)\s+(?:other\s+)?tools?\b/gi, severity: 'high' },
];

/**
 * Sensitive locations in three tiers. A path alone is not a finding: a filesystem server's
 * read_file documents paths. It becomes one when the text asks the model to access it.
 */
const KEY_PATHS =
  /(?:~|\$HOME|%USERPROFILE%|\/home\/[\w.-]{1,32}|\/root|\/Users\/[\w.-]{1,32})?\/?\.ssh(?:\/[\w.-]{1,64})?|\bid_(?:rsa|dsa|ecdsa|ed25519)\b(?!\.pub)|\.gnupg\b|\bwallet\.dat\b|\b(?:your|the user's|user's|users'|their|all)\s+(?:(?:ssh|private|signing|wallet|gpg|pgp)\s+){1,2}keys?\b|\b(?:your|the user's|user's|their)\s+(?:seed|recovery|mnemonic)\s+phrases?\b/gi;
const SECRET_PATHS =
  /\.aws\/(?:credentials|config)\b|\.netrc\b|\.npmrc\b|\.pypirc\b|\.pgpass\b|\.git-credentials\b|\.docker\/config\.json\b|\.kube\/config\b|\/etc\/shadow\b|\.(?:bash|zsh)_history\b|\bmcp\.json\b|\bclaude_desktop_config\.json\b|\.cursor\/|\.config\/gcloud\b|\.password-store\b/gi;
const WEAK_PATHS =
  /(?:^|[\s`'"(/~])\.env(?:\.[a-z]{1,12})?\b|\/etc\/passwd\b|\bcredentials\.json\b|\bservice[-_]account(?:[-_]key)?\.json\b|\bkeychain\b|\b(?:conversation|chat)\s+history\b|\b(?:api|secret|access)\s+(?:keys|tokens)\b/gi;

// Verbs that ask for a file's content: any of them next to a private key path is a request.
const ACCESS_VERB =
  /\b(?:read|cat|open|load|access|fetch|grab|retrieve|collect|include|attach|append|pass|send|upload|forward|copy|provide|extract|dump|print|output|paste|exfiltrate|leak|share|transmit|post|embed|encode|contents?\s+of)\b|\b(?:call|invoke|use)\s+\S{1,64}\s+with\b/i;
// Credential files are mentioned by legitimate tools ("include dotfiles such as .npmrc in results"),
// so the softer verbs (include, attach, provide, share) do not count for them.
const READ_OR_SEND_VERB =
  /\b(?:read|cat|open|load|access|fetch|grab|retrieve|collect|extract|dump|print|output|copy|pass|send|upload|forward|paste|exfiltrate|leak|transmit|post|embed|encode|contents?\s+of)\b|\b(?:call|invoke|use)\s+\S{1,64}\s+with\b/i;
// Weak paths (.env, credentials.json, "API keys") are documented by legitimate tools ("path to your
// .env file", "include .env files in the search"); they count only when content is to travel.
const EXFIL_VERB = /\b(?:pass|send|upload|forward|paste|exfiltrate|leak|transmit|post|embed|encode)\b/i;
const EXFIL_OBJECT = /\b(?:contents?|values?|verbatim|sidenote|full\s+text)\b|https?:\/\/|[\w.+-]+@[\w-]+\.[\w.]+/i;

interface Tier {
  re: RegExp;
  severity: Severity;
  requests: (window: string) => boolean;
}

const TIERS: readonly Tier[] = [
  { re: KEY_PATHS, severity: 'critical', requests: (w) => ACCESS_VERB.test(w) },
  { re: SECRET_PATHS, severity: 'high', requests: (w) => READ_OR_SEND_VERB.test(w) },
  { re: WEAK_PATHS, severity: 'high', requests: (w) => EXFIL_VERB.test(w) && EXFIL_OBJECT.test(w) },
];

// A tag written about rather than used: "the <system> tag", "`<important>`".
function isMention(text: string, start: number, end: number): boolean {
  return /^\s{0,3}(?:tags?|elements?|blocks?|markers?)\b/i.test(text.slice(end, end + 12)) || (text.charAt(start - 1) === '`' && text.charAt(end) === '`');
}

export function scanRules(nt: NormalizedText, rules: readonly Rule[], id: string, title: string, location: string, out: Finding[]): void {
  for (const rule of rules) {
    rule.re.lastIndex = 0;
    let m: RegExpExecArray | null;
    let tries = 0;
    do {
      m = rule.re.exec(nt.text);
    } while (m !== null && isMention(nt.text, m.index, m.index + m[0].length) && ++tries < 16);
    if (m === null || tries >= 16) continue;
    out.push({ id, severity: rule.severity, title, evidence: toEvidence(originalSlice(nt, m.index, m.index + m[0].length)), location });
    // One finding per id and location: a second match adds noise, not information.
    if (rule.severity === 'high') return;
  }
}

function scanSensitive(nt: NormalizedText, location: string, out: Finding[]): void {
  const text = nt.text;
  for (const tier of TIERS) {
    tier.re.lastIndex = 0;
    let m: RegExpExecArray | null;
    let tries = 0;
    while ((m = tier.re.exec(text)) !== null && tries++ < 64) {
      if (m[0].length === 0) {
        tier.re.lastIndex++;
        continue;
      }
      // Public keys are meant to be shared.
      if (/\.pub$/i.test(m[0])) continue;
      const start = m.index;
      const end = start + m[0].length;
      const from = sentenceStart(text, start, 160);
      const to = sentenceEnd(text, end, 100);
      const window = text.slice(from, to);
      if (!tier.requests(window)) continue;
      const verbAt = text.slice(from, start).search(ACCESS_VERB);
      const evStart = verbAt >= 0 ? from + verbAt : start;
      out.push({
        id: 'sensitive-file-request',
        severity: tier.severity,
        title: 'Instruction to read or send credentials or private files',
        evidence: toEvidence(originalSlice(nt, evStart, Math.min(to, Math.max(end, evStart + 100)))),
        location,
      });
      return;
    }
  }
}

/** Instruction detectors over one string; appends to `out`. */
export function scanInstructions(nt: NormalizedText, location: string, out: Finding[]): void {
  scanRules(nt, HIDDEN_TAG_RULES, 'hidden-instruction-tag', 'Hidden instruction block', location, out);
  scanRules(nt, IGNORE_RULES, 'ignore-previous', 'Attempt to override earlier instructions', location, out);
  scanRules(nt, CONCEAL_RULES, 'conceal-from-user', 'Instruction to hide actions from the user', location, out);
  scanSensitive(nt, location, out);
  scanRules(nt, SHADOWING_RULES, 'cross-tool-reference', 'Instruction aimed at other tools', location, out);
}
