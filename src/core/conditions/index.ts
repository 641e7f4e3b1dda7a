/**
 * Argument conditions for policy rules (`require`, `deny_if`, `require_approval_if`): validate with
 * `conditionListSchema` at load, `compileConditions` once, `evaluate` per call, then map the verdict with
 * `conditionFires` — the one place that decides how 'undetermined' is treated.
 */
import type { Verdict } from './compile.js';

export { compileConditions, describeConditions, evaluate, explain, type CompiledCondition, type Explanation, type Verdict } from './compile.js';
export { CONTAINS_ARRAY_LIMIT, describeCondition } from './operators.js';
export { formatSegments, parsePath, type ParsedPath, type PathSegment } from './path.js';
export { checkRegex, MIN_REGEX_INPUT_LIMIT, REGEX_FLAGS, REGEX_INPUT_LIMIT, REGEX_STEP_BUDGET, type RegexCheck } from './safe-regex.js';
export {
  CONDITION_OPERATORS,
  conditionListSchema,
  MAX_CONDITION_DEPTH,
  MAX_CONDITIONS_PER_LIST,
  parseConditionList,
  type Condition,
  type ConditionList,
  type ConditionOperator,
  type LeafCondition,
  type Scalar,
} from './schema.js';

export type ConditionField = 'require' | 'deny_if' | 'require_approval_if';

/**
 * Whether a rule field's consequence applies to a call, failing closed:
 *
 * | field                 | match  | no-match | undetermined |
 * |-----------------------|--------|----------|--------------|
 * | `require`             | allow  | DENY     | DENY         |  only a clear match satisfies a requirement
 * | `deny_if`             | DENY   | allow    | DENY         |  `"amount": "20000"` must not dodge `amount > 10000`
 * | `require_approval_if` | HOLD   | allow    | HOLD         |  a human looks at what the gateway could not check
 *
 * Returns true when the call is denied (`require`, `deny_if`) or held for approval (`require_approval_if`).
 */
export function conditionFires(field: ConditionField, verdict: Verdict): boolean {
  return field === 'require' ? verdict !== 'match' : verdict !== 'no-match';
}
