import { useState } from 'react';
import { errorText, getJson, sendJson } from '../api.js';
import { EffectBadge, RiskBadge } from '../components/RiskBadge.js';
import { Notice } from '../components/Notice.js';
import { pretty } from '../format.js';
import { href } from '../router.js';
import { approverName } from '../session.js';
import type { CatalogToolDetail, PolicyDocument } from '../types.js';
import { useLoad } from '../use-load.js';

/** One tool: what it does, why it needs a policy, and the rule we recommend, applied in one click. */
export function ToolPage({ name }: { name: string }) {
  const { data: tool, error, reload } = useLoad<CatalogToolDetail>(`/api/catalog/${encodeURIComponent(name)}`);
  const [applied, setApplied] = useState<{ kind: 'ok' | 'error'; text: string }>();

  async function applyRecommended() {
    if (!tool) return;
    try {
      const current = await getJson<PolicyDocument>('/api/policy');
      const tools = { ...((current.policy['tools'] as Record<string, unknown> | undefined) ?? {}), [tool.name]: tool.recommendedRule };
      const saved = await sendJson<{ version: string; revision: number }>('PUT', '/api/policy', { policy: { ...current.policy, tools }, note: `recommended rule for ${tool.name}`, by: approverName() });
      setApplied({ kind: 'ok', text: `Applied. Policy version ${saved.version} (revision ${saved.revision}) is now in force.` });
      reload();
    } catch (e) {
      setApplied({ kind: 'error', text: errorText(e) });
    }
  }

  const rationale = tool ? (Array.isArray(tool.rationale) ? tool.rationale : [tool.rationale]) : [];
  return (
    <section aria-labelledby="tool-title">
      <p>
        <a href={href('catalog')}>← Catalog</a>
      </p>
      <header className="page-head">
        <h1 id="tool-title" className="mono">
          {name}
        </h1>
        {tool && <RiskBadge category={tool.category} level={tool.level} confidence={tool.confidence} />}
      </header>
      <Notice kind="error">{error}</Notice>
      {tool && (
        <>
          <p className="muted">
            On server <strong>{tool.server}</strong> (as <span className="mono">{tool.upstreamName}</span>). Policy today: <EffectBadge effect={tool.policy} /> by rule <span className="mono">{tool.rule}</span>.
          </p>
          {typeof tool.definition['description'] === 'string' && <p>{tool.definition['description']}</p>}
          <div className="columns">
            <div className="card">
              <h2>Why it needs a policy</h2>
              {rationale.map((r, i) => (
                <p key={i}>{r}</p>
              ))}
              {tool.signals.length > 0 && (
                <>
                  <h3>Evidence</h3>
                  <ul>
                    {tool.signals.map((s, i) => (
                      <li key={i}>
                        {s.evidence} <span className="muted small">({s.source} → {s.category})</span>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </div>
            <div className="card">
              <h2>Recommended rule</h2>
              <pre className="code">{pretty({ [tool.name]: tool.recommendedRule })}</pre>
              <div className="actions">
                <button type="button" className="primary" onClick={() => void applyRecommended()}>
                  Apply recommended rule
                </button>
              </div>
              {applied && <Notice kind={applied.kind}>{applied.text}</Notice>}
            </div>
          </div>
          <div className="card">
            <h2>Known ways this kind of access is abused</h2>
            <ul className="plain spaced">
              {tool.attackPatterns.map((p) => (
                <li key={p.id}>
                  <strong>{p.title}</strong> — {p.summary} <span className="muted small">Source: {p.reference.title}</span>
                </li>
              ))}
            </ul>
          </div>
          {tool.findings.length > 0 && (
            <div className="card">
              <h2>Findings in the definition</h2>
              <pre className="code">{pretty(tool.findings)}</pre>
            </div>
          )}
          <details className="card">
            <summary>Tool definition</summary>
            <pre className="code">{pretty(tool.definition)}</pre>
          </details>
        </>
      )}
    </section>
  );
}
