import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { EVENT_TYPES, codePointLength } from '@/lib/events';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql, withLane } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { scopeFilter } from '@/lib/kpi/common';
import { correlationRange } from './correlation';

/**
 * api.md search box: an exact correlation id, an exact document_ref, or the start of an exception_id.
 * Exact matches keep the lookups on the bloom-filter indexes; only the exception prefix reads the
 * `exception.opened` rows, which the primary key (warehouse, type, …) narrows.
 */
export const MAX_RESULTS = 20;

export const searchResult = z.object({
  kind: z.enum(['correlation', 'document_ref', 'exception']),
  value: z.string(),
  correlation_id: z.string(),
  warehouse_id: z.string(),
  type: z.enum(EVENT_TYPES),
  occurred_at: z.string(),
});
export type SearchResult = z.infer<typeof searchResult>;

export const searchResponse = z.object({ q: z.string(), results: z.array(searchResult).max(MAX_RESULTS) });
export type SearchResponse = z.infer<typeof searchResponse>;

export const searchQuery = z
  .string()
  .refine((s) => s.length > 0 && codePointLength(s) <= 256, 'q: must be 1–256 characters');

const hitRow = z.object({
  value: z.string(),
  correlation_id: z.string(),
  warehouse_id: z.string(),
  type: z.enum(EVENT_TYPES),
  occurred_ms: z.number(),
});
type Hit = z.infer<typeof hitRow>;

const toResult = (kind: SearchResult['kind']) => (h: Hit): SearchResult => ({
  kind,
  value: h.value,
  correlation_id: h.correlation_id,
  warehouse_id: h.warehouse_id,
  type: h.type,
  occurred_at: new Date(h.occurred_ms).toISOString(),
});

const COLUMNS = sql`correlation_id, toString(warehouse_id) AS warehouse_id, toString(type) AS type,
  toUnixTimestamp64Milli(occurred_at) AS occurred_ms`;

/** The correlation's earliest in-scope event, bounded by its correlation_index range. */
async function byCorrelation(scope: QueryScope, q: string): Promise<Hit[]> {
  const range = await correlationRange(scope, q);
  if (!range) return [];
  return query(
    sql`SELECT correlation_id AS value, ${COLUMNS} FROM events
        WHERE warehouse_id IN ${p.strs(range.warehouses)}
          AND occurred_at >= ${p.time(range.firstMs)} AND occurred_at <= ${p.time(range.lastMs)}
          AND correlation_id = ${p.str(q)}
        ORDER BY occurred_at, event_id LIMIT 1`,
    hitRow,
    { name: 'kpi.search.correlation' },
  );
}

/** One hit per correlation carrying the document (its earliest such event), newest first. */
async function byDocument(scope: QueryScope, q: string): Promise<Hit[]> {
  return query(
    sql`SELECT value, correlation_id, warehouse_id, type, occurred_ms FROM (
          SELECT assumeNotNull(document_ref) AS value, ${COLUMNS}, event_id FROM events
          WHERE document_ref = ${p.str(q)} AND ${scopeFilter(scope)}
          ORDER BY occurred_at, event_id LIMIT 1 BY correlation_id)
        ORDER BY occurred_ms DESC, correlation_id LIMIT ${p.u32(MAX_RESULTS)}`,
    hitRow,
    { name: 'kpi.search.document' },
  );
}

/**
 * Exceptions by id prefix. The earliest `exception.opened` defines an exception (events.md), so it is
 * chosen before the scope filter: a later re-open in another warehouse must not move it into scope.
 */
async function byException(scope: QueryScope, q: string): Promise<Hit[]> {
  return query(
    sql`SELECT value, correlation_id, warehouse_id, type, occurred_ms FROM (
          SELECT exception_id AS value, ${COLUMNS}, event_id FROM events
          WHERE type = 'exception.opened' AND startsWith(exception_id, ${p.str(q)})
          ORDER BY exception_id, occurred_at, event_id LIMIT 1 BY exception_id)
        WHERE ${scopeFilter(scope)}
        ORDER BY value LIMIT ${p.u32(MAX_RESULTS)}`,
    hitRow,
    { name: 'kpi.search.exception' },
  );
}

export async function search(scope: QueryScope, rawQ: string): Promise<SearchResponse> {
  const parsed = searchQuery.safeParse(rawQ);
  if (!parsed.success) throw new AppError('bad_request', parsed.error.issues[0]?.message ?? 'q: invalid');
  const q = parsed.data;
  return withLane('bulk', () => withSpan('kpi.search', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const [corr, docs, excs] = await Promise.all([byCorrelation(scope, q), byDocument(scope, q), byException(scope, q)]);
    const results = [
      ...corr.map(toResult('correlation')),
      ...docs.map(toResult('document_ref')),
      ...excs.map(toResult('exception')),
    ].slice(0, MAX_RESULTS);
    return { q, results };
  }));
}
