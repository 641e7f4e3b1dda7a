import type { z } from 'zod';
import { allRecords } from '../../../../core/audit/export.js';
import { summarizeAudit } from '../../../../core/audit/summary.js';
import type { AuditRecord } from '../../../../ports.js';
import { route } from '../route.js';
import { OverviewQuery, OverviewSchema } from '../schemas.js';

const WINDOWS = { '1h': { windowMs: 3_600_000, bucketMs: 60_000 }, '24h': { windowMs: 86_400_000, bucketMs: 1_800_000 } } as const;
/** The overview reads at most this many records of its window; past that its counts are a lower bound. */
const MAX_RECORDS = 50_000;

export const overviewRoutes = [
  route<Record<string, never>, z.infer<typeof OverviewQuery>>({
    method: 'GET', path: '/api/overview', tag: 'overview', summary: 'Decisions over time, top tools, upstream health and pending approvals', query: OverviewQuery,
    responses: { 200: { description: 'the overview', schema: OverviewSchema } },
    handle: async ({ services, query }) => {
      const { gateway, audit, clock } = services;
      const now = clock.now();
      const window = WINDOWS[query.window];
      const records: AuditRecord[] = [];
      for await (const record of allRecords(audit, { since: now - window.windowMs })) {
        records.push(record);
        if (records.length >= MAX_RECORDS) break;
      }
      const summary = summarizeAudit(records, { now, ...window, top: 10 });
      const pending = (await gateway.approvals?.list({ status: 'pending' }))?.length ?? 0;
      return {
        status: 200,
        body: {
          policyVersion: gateway.policy.current()?.version ?? null,
          sessions: gateway.sessions.size,
          upstreams: gateway.upstreams.map((u) => ({ name: u.name, status: u.status, tools: u.tools.length, ...(u.lastError ? { error: u.lastError } : {}) })),
          ...summary,
          pendingApprovals: pending,
          truncated: records.length >= MAX_RECORDS,
        },
      };
    },
  }),
];
