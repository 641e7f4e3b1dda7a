import type { AttackPattern, AttackPatternReference, RiskAssessment, RiskCategory } from './types.js';

/**
 * A small, built-in knowledge base of the ways an agent's access to a tool is abused, so that a
 * console can show why a policy matters for a given tool. Summaries are our own words; each
 * entry points at the public guidance it draws on.
 */

const MCP_SECURITY: AttackPatternReference = {
  title: 'MCP Security Best Practices',
  url: 'https://modelcontextprotocol.io/specification/draft/basic/security_best_practices',
};
const OWASP_LLM01: AttackPatternReference = {
  title: 'OWASP Top 10 for LLM Applications — LLM01: Prompt Injection',
  url: 'https://genai.owasp.org/llmrisk/llm01-prompt-injection/',
};
const OWASP_LLM02: AttackPatternReference = {
  title: 'OWASP Top 10 for LLM Applications — LLM02: Sensitive Information Disclosure',
  url: 'https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/',
};
const OWASP_LLM06: AttackPatternReference = {
  title: 'OWASP Top 10 for LLM Applications — LLM06: Excessive Agency',
  url: 'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
};
const OWASP_LLM05: AttackPatternReference = {
  title: 'OWASP Top 10 for LLM Applications — LLM05: Improper Output Handling',
  url: 'https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/',
};
const OWASP_TOP10: AttackPatternReference = {
  title: 'OWASP Top 10 for LLM Applications',
  url: 'https://genai.owasp.org/llm-top-10/',
};

export const ATTACK_PATTERNS = {
  dataExfiltration: {
    id: 'data-exfiltration',
    title: 'Data exfiltration through read access',
    summary:
      'An injected instruction asks the agent to read secrets, customer records or source code and then pass them to a tool that can send data out (a message, an issue, an HTTP request). Each step looks harmless; together they leak data.',
    reference: OWASP_LLM02,
  },
  indirectPromptInjection: {
    id: 'indirect-prompt-injection',
    title: 'Indirect prompt injection through returned content',
    summary:
      'Content the tool returns — a web page, an issue body, a log line, a document — can carry instructions written by a third party. The model may follow them as if the user had asked, steering later tool calls.',
    reference: OWASP_LLM01,
  },
  confusedDeputy: {
    id: 'confused-deputy',
    title: 'Confused-deputy destructive calls',
    summary:
      'The agent holds broad credentials and acts on text it was shown, so a crafted prompt can make it delete, drop or revoke resources the requester could never touch directly. The server sees a legitimate, authorised call.',
    reference: MCP_SECURITY,
  },
  excessiveAgency: {
    id: 'excessive-agency',
    title: 'Excessive agency on state-changing tools',
    summary:
      'Tools that create, update or send on the user’s behalf let a mistaken or manipulated agent act at machine speed: mass edits, spam messages, unwanted merges. Scope, rate limits and approval keep the blast radius small.',
    reference: OWASP_LLM06,
  },
  unauthorisedPayment: {
    id: 'unauthorised-payment',
    title: 'Unauthorised payments and refunds',
    summary:
      'A manipulated agent can issue refunds, create payment links or transfer funds to an attacker-chosen recipient. Amounts and recipients come from model output, so they need hard limits and human approval.',
    reference: OWASP_LLM06,
  },
  commandInjection: {
    id: 'command-injection',
    title: 'Command and code injection',
    summary:
      'Tools that run shell commands, scripts, SQL or browser JavaScript execute whatever text the model produces. Injected content can turn that into arbitrary code execution on the server or in the user’s session.',
    reference: OWASP_LLM05,
  },
  sessionHijack: {
    id: 'browser-session-abuse',
    title: 'Acting inside an authenticated browser session',
    summary:
      'Browser automation clicks and types with the user’s cookies. A page the agent visits can instruct it to submit forms, change settings or make purchases that the user never asked for.',
    reference: OWASP_LLM01,
  },
  toolPoisoning: {
    id: 'tool-poisoning',
    title: 'Tool poisoning and misleading annotations',
    summary:
      'A server controls its own tool names, descriptions and annotations. It can hide instructions in a description or mark a dangerous tool read-only, so a gateway must not trust those claims to lower risk.',
    reference: MCP_SECURITY,
  },
  unboundedConsumption: {
    id: 'unbounded-consumption',
    title: 'Runaway loops and resource exhaustion',
    summary:
      'An agent stuck in a loop can call a tool thousands of times, running up API bills, exhausting quotas or flooding downstream systems. Per-tool rate limits contain it.',
    reference: OWASP_TOP10,
  },
} as const satisfies Record<string, AttackPattern>;

const BY_CATEGORY: Record<RiskCategory, readonly AttackPattern[]> = {
  Read: [ATTACK_PATTERNS.dataExfiltration, ATTACK_PATTERNS.indirectPromptInjection],
  Write: [ATTACK_PATTERNS.excessiveAgency, ATTACK_PATTERNS.dataExfiltration],
  Execute: [ATTACK_PATTERNS.commandInjection, ATTACK_PATTERNS.excessiveAgency],
  Destructive: [ATTACK_PATTERNS.confusedDeputy, ATTACK_PATTERNS.excessiveAgency],
  Financial: [ATTACK_PATTERNS.unauthorisedPayment, ATTACK_PATTERNS.confusedDeputy],
  Other: [ATTACK_PATTERNS.toolPoisoning, ATTACK_PATTERNS.unboundedConsumption],
};

/**
 * Attack patterns relevant to an assessed tool: the category's own, plus those its signals point
 * to (browser actions, open-world reads, annotations that contradict the evidence). Stable order,
 * no duplicates.
 */
export function attackPatternsFor(assessment: RiskAssessment): AttackPattern[] {
  const out: AttackPattern[] = [];
  const add = (p: AttackPattern): void => {
    if (!out.some((o) => o.id === p.id)) out.push(p);
  };
  for (const p of BY_CATEGORY[assessment.category] ?? BY_CATEGORY.Other) add(p);
  for (const s of assessment.signals) {
    if (s.evidence.includes('browser')) add(ATTACK_PATTERNS.sessionHijack);
    if (s.evidence.includes('openWorldHint')) add(ATTACK_PATTERNS.indirectPromptInjection);
    if (s.source === 'schema' && s.category === 'Execute') add(ATTACK_PATTERNS.commandInjection);
  }
  const contradicted = assessment.signals.some((s) => s.source === 'annotation') && assessment.confidence < 0.6;
  if (contradicted || /readOnlyHint|destructiveHint:false/.test(assessment.rationale)) add(ATTACK_PATTERNS.toolPoisoning);
  return out;
}
