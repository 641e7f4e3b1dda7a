import { CONDITION_KINDS, withState, type ToolState, type VisualTool } from '../../../src/core/policy/visual-model.js';
import type { ValidationProblem } from '../types.js';
import { ConditionRows } from './ConditionRows.js';

const STATES: { state: ToolState; label: string; hint: string }[] = [
  { state: 'inherit', label: 'Default', hint: 'no rule: the policy default decides' },
  { state: 'allow', label: 'Allow', hint: 'every call passes' },
  { state: 'deny', label: 'Deny', hint: 'stays listed, every call is refused' },
  { state: 'hide', label: 'Hide', hint: 'removed from tools/list and refused' },
  { state: 'custom', label: 'Custom', hint: 'limits, approval, argument rules' },
];

/** One tool's row in the builder: its state, and for Deny/Custom the details. */
export function ToolRuleEditor({ tool, fallback, problems, onChange }: { tool: VisualTool; fallback: string; problems: ValidationProblem[]; onChange: (tool: VisualTool) => void }) {
  const id = `tool-${tool.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const extra = Object.keys(tool.extra).filter((k) => k !== 'action');
  return (
    <fieldset className={`tool-rule${problems.length ? ' has-problem' : ''}`} data-tool={tool.name}>
      <legend className="mono">{tool.name}</legend>
      <div className="segmented" role="radiogroup" aria-label={`State of ${tool.name}`}>
        {STATES.map((s) => (
          <label key={s.state} title={s.hint} className={tool.state === s.state ? 'checked' : ''}>
            <input type="radio" name={id} value={s.state} checked={tool.state === s.state} onChange={() => onChange(withState(tool, s.state))} />
            {s.state === 'inherit' ? `${s.label} (${fallback})` : s.label}
          </label>
        ))}
      </div>
      {(tool.state === 'deny' || tool.state === 'custom' || (tool.state === 'allow' && tool.reason !== '')) && (
        <label className="wide">
          Reason <span className="muted small">(the agent and the approver read this)</span>
          <input value={tool.reason} onChange={(e) => onChange({ ...tool, reason: e.target.value })} aria-label={`Reason for ${tool.name}`} />
        </label>
      )}
      {tool.state === 'custom' && (
        <div className="custom">
          <div className="inline-fields">
            <label className="check">
              <input type="checkbox" checked={tool.requireApproval} onChange={(e) => onChange({ ...tool, requireApproval: e.target.checked })} /> Require approval for every call
            </label>
            <label className="check">
              <input type="checkbox" checked={tool.rateLimit !== null} onChange={(e) => onChange({ ...tool, rateLimit: e.target.checked ? { max: 10, window: 60 } : null })} /> Rate limit
            </label>
            {tool.rateLimit && (
              <>
                <label>
                  Max calls
                  <input type="number" min={1} value={tool.rateLimit.max} onChange={(e) => onChange({ ...tool, rateLimit: { ...tool.rateLimit!, max: Number(e.target.value) } })} aria-label={`Max calls for ${tool.name}`} />
                </label>
                <label>
                  per window
                  <input value={String(tool.rateLimit.window)} onChange={(e) => onChange({ ...tool, rateLimit: { ...tool.rateLimit!, window: /^\d+(\.\d+)?$/.test(e.target.value) ? Number(e.target.value) : e.target.value } })} aria-label={`Window for ${tool.name} (seconds or 1m, 1h)`} size={6} />
                </label>
              </>
            )}
          </div>
          {CONDITION_KINDS.map((kind) => (
            <ConditionRows key={kind} tool={tool.name} kind={kind} rows={tool.conditions[kind]} onChange={(rows) => onChange({ ...tool, conditions: { ...tool.conditions, [kind]: rows } })} />
          ))}
          {extra.length > 0 && <p className="muted small">Also set in JSON (kept as is): {extra.join(', ')}</p>}
        </div>
      )}
      {problems.map((p, i) => (
        <p key={i} className="problem" role="alert">
          <span className="mono">{p.path}</span>: {p.message}
        </p>
      ))}
    </fieldset>
  );
}
