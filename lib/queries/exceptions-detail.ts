import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { EVENT_TYPES, TOWER_SOURCE, WORKFLOWS, eventRowSchema, rowToApiEvent, type ApiEvent } from '@/lib/events';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { scopeFilter } from '@/lib/kpi/common';
import { exceptionItem, exceptionState } from './exceptions';
import { EXCEPTION_EVENT_TYPES } from '@/lib/kpi/exceptions-state';

/** api.md `GET /api/v1/exceptions/{exception_id}`: the item plus every `exception.*` event of it. */
export const historyEvent = z.object({
  event_id: z.string(),
  type: z.enum(EVENT_TYPES),
  occurred_at: z.string(),
  observed_at: z.string(),
  source_system: z.string(),
  target_system: z.string().nullable(),
  warehouse_id: z.string(),
  correlation_id: z.string(),
  workflow: z.enum(WORKFLOWS),
  document_ref: z.string().nullable(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  ingested_at: z.string(),
  /**
   * The tower user who acted: only for the tower's own triage events (TOWER_SOURCE, which ingest
   * refuses from feeds). An `actor` a source system sends stays data in `attributes` and is never
   * shown as a user: the event is the source system's (`source_system`), whoever it says did it.
   */
  actor: z.string().nullable(),
});

export const exceptionDetailResponse = exceptionItem.extend({ history: z.array(historyEvent) });
export type ExceptionDetailResponse = z.infer<typeof exceptionDetailResponse>;

const historyRow = eventRowSchema.pick({
  event_id: true,
  type: true,
  occurred_at: true,
  observed_at: true,
  ingested_at: true,
  source_system: true,
  target_system: true,
  warehouse_id: true,
  correlation_id: true,
  workflow: true,
  document_ref: true,
  attributes: true,
});

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
      sql`SELECT event_id, toString(type) AS type, occurred_at, observed_at, ingested_at,
                 toString(source_system) AS source_system, toString(target_system) AS target_system,
                 toString(warehouse_id) AS warehouse_id, correlation_id, toString(workflow) AS workflow,
                 document_ref, attributes
          FROM events
          WHERE type IN ${p.strs(EXCEPTION_EVENT_TYPES)} AND exception_id = ${p.str(exceptionId)} AND ${scopeFilter(scope)}
          ORDER BY occurred_at, event_id
          LIMIT 1 BY event_id
          LIMIT ${p.u32(MAX_HISTORY)}`,
      historyRow,
      { name: 'kpi.exceptions.history' },
    );
    return { ...item, history: rows.map((r) => withActor(rowToApiEvent(r))) };
  });
}
