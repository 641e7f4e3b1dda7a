import { useCallback, useEffect, useState } from 'react';
import { errorText, getJson, sendJson } from '../api.js';
import { RiskBadge } from '../components/RiskBadge.js';
import { Notice } from '../components/Notice.js';
import { formatDuration, formatTime, pretty } from '../format.js';
import { approverName } from '../session.js';
import { followEvents } from '../sse.js';
import type { Approval } from '../types.js';

/** Pending approvals, kept live by the event stream, re-fetched every 10 s whenever the stream is down. */
function useApprovalQueue() {
  const [pending, setPending] = useState<Approval[]>([]);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<string>();
  const refresh = useCallback(() => {
    getJson<{ approvals: Approval[] }>('/api/approvals?status=pending')
      .then((r) => {
        setPending(r.approvals.sort((a, b) => a.createdAt - b.createdAt));
        setError(undefined);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, []);
  useEffect(() => {
    refresh();
    const controller = new AbortController();
    void followEvents(
      '/api/approvals/events',
      controller.signal,
      (e) => {
        if (e.event !== 'approval') return;
        try {
          const a = JSON.parse(e.data) as Approval;
          setPending((list) => {
            const others = list.filter((x) => x.id !== a.id);
            // Events carry the request without its risk; keep the one the list gave.
            const known = list.find((x) => x.id === a.id);
            return a.status === 'pending' ? [...others, { ...known, ...a }].sort((x, y) => x.createdAt - y.createdAt) : others;
          });
          if (a.status === 'pending' && !a.risk) refresh();
        } catch {
          refresh();
        }
      },
      (isLive) => {
        setLive(isLive);
        if (isLive) refresh();
      },
    );
    return () => controller.abort();
  }, [refresh]);
  useEffect(() => {
    if (live) return undefined;
    const id = setInterval(refresh, 10_000);
    return () => clearInterval(id);
  }, [live, refresh]);
  return { pending, setPending, live, error, refresh };
}

function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

function ApprovalCard({ approval, now, onDecided }: { approval: Approval; now: number; onDecided: (text: string) => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function decide(verdict: 'approve' | 'deny') {
    setBusy(true);
    try {
      await sendJson('POST', `/api/approvals/${encodeURIComponent(approval.id)}/${verdict}`, { by: approverName(), ...(note.trim() ? { note: note.trim() } : {}) });
      onDecided(`${verdict === 'approve' ? 'Approved' : 'Denied'} ${approval.tool} for ${approval.agent}.`);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  }
  const noteId = `note-${approval.id}`;
  return (
    <article className="card approval" aria-label={`Approval request: ${approval.tool} by ${approval.agent}`} data-approval={approval.id}>
      <header className="approval-head">
        <h2 className="mono">{approval.tool}</h2>
        {approval.risk && <RiskBadge category={approval.risk.category} level={approval.risk.level} />}
        <span className="time-left" title={`expires ${formatTime(approval.expiresAt)}`}>
          {formatDuration(approval.expiresAt - now)} left
        </span>
      </header>
      <dl className="facts">
        <dt>Agent</dt>
        <dd>{approval.agent}</dd>
        <dt>Reason</dt>
        <dd>{approval.reason || '—'}</dd>
        <dt>Rule</dt>
        <dd className="mono">{approval.rule}</dd>
        <dt>Asked</dt>
        <dd>{formatTime(approval.createdAt)}</dd>
      </dl>
      <details open>
        <summary>Arguments (redacted)</summary>
        <pre className="code">{pretty(approval.args)}</pre>
      </details>
      <label htmlFor={noteId}>Note for the agent and the audit trail</label>
      <input id={noteId} value={note} onChange={(e) => setNote(e.target.value)} />
      <Notice kind="error">{error}</Notice>
      <div className="actions">
        <button type="button" className="primary" disabled={busy} onClick={() => void decide('approve')}>
          Approve
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void decide('deny')}>
          Deny
        </button>
      </div>
    </article>
  );
}

export function Approvals() {
  const { pending, setPending, live, error } = useApprovalQueue();
  const [message, setMessage] = useState<string>();
  const now = useNow(1000);
  return (
    <section aria-labelledby="approvals-title">
      <header className="page-head">
        <h1 id="approvals-title">Approvals</h1>
        <span className="muted small" aria-live="polite">
          <span className={`dot ${live ? 'status-up' : 'status-starting'}`} aria-hidden="true" /> {live ? 'live' : 'refreshing every 10 s'}
        </span>
      </header>
      <Notice kind="error">{error}</Notice>
      <Notice kind="ok">{message}</Notice>
      {pending.length === 0 ? <p className="muted">Nothing is waiting for a decision.</p> : null}
      <div className="approval-list">
        {pending.map((a) => (
          <ApprovalCard
            key={a.id}
            approval={a}
            now={now}
            onDecided={(text) => {
              setMessage(text);
              setPending((list) => list.filter((x) => x.id !== a.id));
            }}
          />
        ))}
      </div>
    </section>
  );
}
