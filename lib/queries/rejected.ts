import { z } from 'zod';
import type { QueryScope } from '@/lib/scope';
import { empty, p, query, sql, withLane } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { cursorCodec } from './cursor';

/**
 * api.md `GET /api/v1/rejected`: rejected lines, newest first, keyset-paginated on the table's own
 * sort key (ingested_at, batch_id, line) so a page costs the same however deep it is.
 */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export const rejectedParams = z.object({
  from: z.number(),
  to: z.number(),
  limit: z.number().int().min(1).max(MAX_LIMIT),
  cursor: z.string().nullable(),
});
export type RejectedParams = z.infer<typeof rejectedParams>;

export const rejectedItem = z.object({
  ingested_at: z.string(),
  line: z.number(),
  reason: z.string(),
  raw: z.string(),
  event_id: z.string().nullable(),
  batch_id: z.string(),
});
export type RejectedItem = z.infer<typeof rejectedItem>;

export const rejectedResponse = z.object({ items: z.array(rejectedItem), next_cursor: z.string().nullable() });
export type RejectedResponse = z.infer<typeof rejectedResponse>;

const position = z.tuple([z.number().int().nonnegative(), z.string().max(128), z.number().int().nonnegative()]);

const pageCursor = cursorCodec(position, { maxLength: 512 });

const row = z.object({
  ingested_ms: z.number(),
  batch_id: z.string(),
  line: z.number(),
  reason: z.string(),
  raw: z.string(),
  event_id: z.string().nullable(),
});

export async function listRejected(scope: QueryScope, params: RejectedParams): Promise<RejectedResponse> {
  const { from, to, limit, cursor } = rejectedParams.parse(params);
  const after = cursor === null ? null : pageCursor.decode(cursor);
  // A rejected line never passed validation, so its warehouse_id (if any) is untrusted text; showing it
  // to a warehouse-limited user could leak other warehouses' payloads. Only callers who see all get items.
  if (scope.warehouses !== null) return { items: [], next_cursor: null };
  return withLane('bulk', () => withSpan('kpi.rejected', {}, async () => {
    const keyset =
      after === null
        ? empty
        : sql` AND (ingested_at, batch_id, line) < (fromUnixTimestamp64Milli(${p.i64(after[0])}, 'UTC'), ${p.str(after[1])}, ${p.u32(after[2])})`;
    const rows = await query(
      sql`SELECT toUnixTimestamp64Milli(ingested_at) AS ingested_ms, batch_id, line, reason, raw, event_id
          FROM rejected_events
          WHERE ingested_at >= ${p.time(from)} AND ingested_at < ${p.time(to)}${keyset}
          ORDER BY ingested_at DESC, batch_id DESC, line DESC
          LIMIT ${p.u32(limit + 1)}`,
      row,
      { name: 'kpi.rejected' },
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const next_cursor = rows.length > limit && last ? pageCursor.encode([last.ingested_ms, last.batch_id, last.line]) : null;
    return {
      items: page.map((r) => ({
        ingested_at: new Date(r.ingested_ms).toISOString(),
        line: r.line,
        reason: r.reason,
        raw: r.raw,
        event_id: r.event_id,
        batch_id: r.batch_id,
      })),
      next_cursor,
    };
  }));
}
