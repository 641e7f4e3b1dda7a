import type { RiskAssessment } from '../risk/index.js';
import type { Policy, ToolRule } from './schema.js';

export type SuggestProfile = 'strict' | 'balanced' | 'permissive';

/**
 * The recommended rule for one tool. Reads at Low risk stay plain allows (`{}`); anything that changes state gets
 * a limit, an approval or a denial depending on the profile, and every non-trivial rule says why.
 */
export function suggestRule(assessment: RiskAssessment, profile: SuggestProfile): ToolRule {
  const { category, level } = assessment;
  const perMinute = (max: number, reason: string): ToolRule => ({ rate_limit: { max, window: 60 }, reason });
  switch (category) {
    case 'Read':
      if (level === 'Low' || profile === 'permissive') return {};
      return perMinute(profile === 'strict' ? 20 : 60, 'reads with side-effect signals are rate-limited');
    case 'Write':
      return perMinute(profile === 'strict' ? 5 : profile === 'balanced' ? 20 : 60, 'writes change state, so they are rate-limited to contain a runaway agent');
    case 'Execute':
      return profile === 'strict'
        ? { action: 'deny', reason: 'runs code or commands; allow it deliberately if an agent needs it' }
        : { action: 'require_approval', reason: 'runs code or commands; a person approves each call' };
    case 'Destructive':
      return profile === 'strict'
        ? { action: 'deny', reason: 'deletes or destroys data irreversibly' }
        : { action: 'require_approval', reason: 'deletes or destroys data irreversibly; a person approves each call' };
    case 'Financial':
      return { action: 'require_approval', reason: 'moves money or creates a financial obligation; a person approves each call' };
    case 'Other':
      return profile === 'permissive'
        ? perMinute(30, 'the gateway could not tell what this tool does, so it is rate-limited')
        : { action: 'require_approval', reason: 'the gateway could not tell what this tool does; a person approves each call' };
  }
}

export function suggestPolicy(tools: readonly { name: string; assessment: RiskAssessment }[], profile: SuggestProfile): Policy {
  const rules: Record<string, ToolRule> = {};
  for (const tool of [...tools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) rules[tool.name] = suggestRule(tool.assessment, profile);
  return { version: '1', default: 'deny', tools: rules, hide: [], agents: {} };
}
