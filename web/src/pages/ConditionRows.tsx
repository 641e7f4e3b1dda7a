import { OPERATORS, textToValue, valueToText, type ConditionRow } from '../../../src/core/policy/visual-model.js';

const KIND_LABEL = {
  deny_if: 'Deny if',
  require: 'Require (deny unless)',
  require_approval_if: 'Require approval if',
} as const;

/** One list of argument conditions (path, operator, value) with add and remove. */
export function ConditionRows({ tool, kind, rows, onChange }: { tool: string; kind: keyof typeof KIND_LABEL; rows: ConditionRow[]; onChange: (rows: ConditionRow[]) => void }) {
  const update = (i: number, patch: Partial<ConditionRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="conditions">
      <legend>{KIND_LABEL[kind]}</legend>
      {rows.map((row, i) => (
        <div className="condition" key={i}>
          <label>
            <span className="visually-hidden">{`${KIND_LABEL[kind]} condition ${i + 1} of ${tool}: `}</span>Path
            <input value={row.path} onChange={(e) => update(i, { path: e.target.value })} placeholder="amount" />
          </label>
          <label>
            Operator
            <select value={row.op} onChange={(e) => update(i, e.target.value === 'exists' ? { op: e.target.value, value: true } : { op: e.target.value })}>
              {[...OPERATORS, ...((OPERATORS as readonly string[]).includes(row.op) ? [] : [row.op])].map((op) => (
                <option key={op}>{op}</option>
              ))}
            </select>
          </label>
          <label>
            Value
            <input value={valueToText(row.value)} onChange={(e) => update(i, { value: textToValue(e.target.value) })} placeholder={row.op === 'in' || row.op === 'not_in' ? '["a", "b"]' : '10000'} />
          </label>
          <button type="button" className="quiet" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove ${KIND_LABEL[kind]} condition ${i + 1} of ${tool}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="quiet" onClick={() => onChange([...rows, { path: '', op: 'eq', value: '' }])} aria-label={`Add ${KIND_LABEL[kind]} condition to ${tool}`}>
        + Add condition
      </button>
    </fieldset>
  );
}
