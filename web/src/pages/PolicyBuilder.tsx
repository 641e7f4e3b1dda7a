import { useState } from 'react';
import { blankTool, toPolicy, toVisual, withState, type JsonObject } from '../../../src/core/policy/visual-model.js';
import type { ValidationProblem } from '../types.js';
import { ToolRuleEditor } from './ToolRuleEditor.js';

/** Problems about `tools.<name>` (the validator's paths may start with `policy.`), for showing beside the row. */
function problemsFor(name: string, problems: ValidationProblem[]): ValidationProblem[] {
  return problems.filter((p) => {
    const path = p.path.replace(/^(policy\.|\$\.?)/, '');
    return path === `tools.${name}` || path.startsWith(`tools.${name}.`) || path.startsWith(`tools["${name}"]`) || path.startsWith(`tools.${name}[`);
  });
}

/** The visual side of the policy editor: default, then one row per tool; every change rewrites the document. */
export function PolicyBuilder({ doc, known, problems, onChange }: { doc: JsonObject; known: string[]; problems: ValidationProblem[]; onChange: (doc: JsonObject) => void }) {
  // A Custom rule with nothing set yet is `{}`, which reads back as Allow; remember the choice until it says more.
  const [customised, setCustomised] = useState<ReadonlySet<string>>(new Set());
  const read = toVisual(doc, known);
  const visual = { ...read, tools: read.tools.map((t) => (t.state === 'allow' && customised.has(t.name) ? { ...t, state: 'custom' as const } : t)) };
  const [filter, setFilter] = useState('');
  const [newKey, setNewKey] = useState('');
  const shown = visual.tools.filter((t) => t.name.toLowerCase().includes(filter.trim().toLowerCase()));

  function addKey() {
    const name = newKey.trim();
    if (!name || visual.tools.some((t) => t.name === name)) return;
    onChange(toPolicy({ ...visual, tools: [...visual.tools, withState(blankTool(name), 'allow')] }));
    setNewKey('');
  }

  return (
    <div className="builder">
      <div className="inline-fields">
        <fieldset className="segmented">
          <legend>Default for tools without a rule</legend>
          {(['allow', 'deny'] as const).map((d) => (
            <label key={d} className={visual.default === d ? 'checked' : ''}>
              <input type="radio" name="policy-default" checked={visual.default === d} onChange={() => onChange(toPolicy({ ...visual, default: d }))} /> {d === 'allow' ? 'Allow' : 'Deny'}
            </label>
          ))}
        </fieldset>
        <label>
          Find a tool
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
      </div>
      {shown.map((tool) => (
        <ToolRuleEditor
          key={tool.name}
          tool={tool}
          fallback={visual.default}
          problems={problemsFor(tool.name, problems)}
          onChange={(next) => {
            if ((next.state === 'custom') !== customised.has(next.name)) {
              const names = new Set(customised);
              if (next.state === 'custom') names.add(next.name);
              else names.delete(next.name);
              setCustomised(names);
            }
            onChange(toPolicy({ ...visual, tools: visual.tools.map((t) => (t.name === tool.name ? next : t)) }));
          }}
        />
      ))}
      <div className="inline-fields">
        <label>
          Rule for another name or glob
          <input value={newKey} onChange={(e) => setNewKey(e.target.value)} placeholder="delete_*" onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), addKey())} />
        </label>
        <button type="button" onClick={addKey}>
          Add rule
        </button>
      </div>
    </div>
  );
}
