import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { TOWER_SOURCE, apiEventRowSchema, apiEventSchema, rowToApiEvent, type ApiEvent } from '@/lib/events';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { scopeFilter } from '@/lib/kpi/common';
import { API_EVENT_COLUMNS } from './correlation';
import { exceptionItem, exceptionState } from './exceptions';
import { EXCEPTION_EVENT_TYPES } from '@/lib/kpi/exceptions-state';

/** api.md `GET /api/v1/exceptions/{exception_id}`: the item plus every `exception.*` event of it. */
/**
 * A history item is the event plus `actor`: the tower user who acted, only on the tower's own triage
 * events (TOWER_SOURCE, which ingest refuses from feeds). An `actor` a source system sends stays data in
 * `attributes` and is never shown as a user: the event is the source system's, whoever it says did it.
 */
export const historyEvent = apiEventSchema.extend({ actor: z.string().nullable() });

export const exceptionDetailResponse = exceptionItem.extend({ history: z.array(historyEvent) });
export type ExceptionDetailResponse = z.infer<typeof exceptionDetailResponse>;

function withActor(e: ApiEvent): z.infer<typeof historyEvent> {
  const actor = e.source_system === TOWER_SOURCE && typeof e.attributes.actor === 'string' ? e.attributes.actor : null;
  return { ...e, actor };
}

// An exception has a handful of events; the cap only keeps a pathological one from flooding a response.
const MAX_HISTORY = 10_000;

/**
 * 404 both when the exception is unknown and when its opened warehouse is outside the caller's scope,
 * so the answer does not reveal that it exists. A restricted caller sees only the history events of
 * warehouses in scope (api.md: such a user sees only events of those warehouses everywhere).
 */
export async function exceptionDetail(scope: QueryScope, exceptionId: string, now: number): Promise<ExceptionDetailResponse> {
  return withSpan('kpi.exceptions.detail', {}, async () => {
    const item = await exceptionState(scope, exceptionId, now);
    if (!item) throw new AppError('not_found', 'exception_id: no such exception');
    const rows = await query(
      sql`SELECT ${API_EVENT_COLUMNS}
          FROM events
          WHERE type IN ${p.strs(EXCEPTION_EVENT_TYPES)} AND exception_id = ${p.str(exceptionId)} AND ${scopeFilter(scope)}
          ORDER BY occurred_at, event_id
          LIMIT 1 BY event_id
          LIMIT ${p.u32(MAX_HISTORY)}`,
      apiEventRowSchema,
      { name: 'kpi.exceptions.history' },
    );
    return { ...item, history: rows.map((r) => withActor(rowToApiEvent(r))) };
  });
}
