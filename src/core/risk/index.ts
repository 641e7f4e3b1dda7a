export { classifyTool } from './classify.js';
export { attackPatternsFor, ATTACK_PATTERNS } from './attack-patterns.js';
export { tokenizeName, splitIdentifier, stripServerPrefixes } from './tokens.js';
export {
  DEFAULT_LEVEL,
  RISK_CATEGORIES,
  RISK_LEVELS,
  type AttackPattern,
  type AttackPatternReference,
  type ClassifyOptions,
  type RiskAssessment,
  type RiskCategory,
  type RiskLevel,
  type RiskSignal,
  type RiskSignalSource,
  type ToolDefinitionInput,
} from './types.js';
