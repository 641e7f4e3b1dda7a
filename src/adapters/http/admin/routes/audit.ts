import { z } from 'zod';
import { AdminError } from '../../../../admin/errors.js';
import { CSV_HEADER, allRecords, auditFilter, csvRow, jsonLine, parseTime, type AuditFilterText } from '../../../../core/audit/export.js';
import type { AuditQuery } from '../../../../core/audit/sink.js';
import { route } from '../route.js';
import { AuditExportQuery, AuditQuerySchema, AuditRecordSchema } from '../schemas.js';

const tag = 'audit';

/** The decision is checked by the query schema; each time is read on its own, so an error names its field. */
function filterOf(query: AuditFilterText, now: number): AuditQuery {
  for (const field of ['since', 'until'] as const) {
    const text = query[field];
    if (text === undefined) continue;
    try {
      parseTime(text, now);
    } catch (error) {
      throw new AdminError('invalid', `${field}: ${error instanceof Error ? error.message : String(error)}`, field);
    }
  }
  return auditFilter(query, now);
}

export const auditRoutes = [
  route<Record<string, never>, z.infer<typeof AuditQuerySchema>>({
    method: 'GET', path: '/api/audit', tag, summary: 'Audit records matching every filter given, oldest first; page with afterSeq', query: AuditQuerySchema,
    responses: { 200: { description: 'records', schema: z.object({ records: z.array(AuditRecordSchema) }) } },
    handle: async ({ services, query }) => {
      const filter = filterOf(query, services.clock.now());
      const records = await services.audit.query({ ...filter, ...(query.limit !== undefined ? { limit: query.limit } : {}), ...(query.afterSeq !== undefined ? { afterSeq: query.afterSeq } : {}) });
      return { status: 200, body: { records } };
    },
  }),
  route({
    method: 'GET', path: '/api/audit/verify', tag, summary: 'Re-hash the whole trail: is it intact, and if not, the first record that was edited, removed or reordered',
    responses: { 200: { description: 'the verification', schema: z.union([z.object({ ok: z.literal(true), count: z.number().int() }), z.object({ ok: z.literal(false), seq: z.number().int(), problem: z.string(), detail: z.string() })]) } },
    handle: async ({ services }) => ({ status: 200, body: await services.audit.verify() }),
  }),
  route<Record<string, never>, z.infer<typeof AuditExportQuery>>({
    method: 'GET', path: '/api/audit/export', tag, summary: 'Every matching record as a CSV or JSON-lines download', query: AuditExportQuery,
    responses: { 200: { description: 'the records', contentType: 'text/csv' } },
    handle: async ({ services, query, res }) => {
      const filter = filterOf(query, services.clock.now());
      const csv = query.format === 'csv';
      res.writeHead(200, {
        'content-type': csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
        'content-disposition': `attachment; filename="gatehouse-audit.${csv ? 'csv' : 'jsonl'}"`,
        'cache-control': 'no-store',
      });
      if (csv) res.write(`${CSV_HEADER}\n`);
      for await (const record of allRecords(services.audit, filter)) {
        if (!res.write(`${csv ? csvRow(record) : jsonLine(record)}\n`)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
      return undefined;
    },
  }),
];
