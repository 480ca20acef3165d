import { z } from 'zod';
import { SEVERITIES, WORKFLOWS } from '@/lib/events';
import type { QueryScope } from '@/lib/scope';
import { empty, p, sql, type Sql } from '@/lib/store';
import { scopeFilter } from './common';

/**
 * One row per exception, the way metrics.md §2 and api.md define its state. Shared by the aging KPI,
 * the list, the detail and the action lookup so they can never disagree about what an exception is.
 *
 * - Identity comes from the EARLIEST `exception.opened` (occurred_at, then the smaller event_id):
 *   warehouse, correlation, workflow, category, severity and the initial owner.
 * - Scope is applied to that opened warehouse after aggregation, so a follow-up recorded under another
 *   warehouse still counts for it. Exceptions without an opened event never appear.
 * - `resolved_ms` is the FIRST resolution whenever it happened; callers compare it with their own
 *   point in time. Owner and acknowledgement are taken at or before `atMs` (metrics.md).
 * Aggregates (min/argMin/count>0) are insensitive to a duplicate row that a merge has not collapsed yet.
 */
export const EXCEPTION_EVENT_TYPES = ['exception.opened', 'exception.acknowledged', 'exception.assigned', 'exception.resolved'] as const;

export const exceptionStateRow = z.object({
  exception_id: z.string(),
  warehouse_id: z.string(),
  correlation_id: z.string(),
  workflow: z.enum(WORKFLOWS),
  category: z.string(),
  severity: z.enum(SEVERITIES),
  owner: z.string().nullable(),
  opened_ms: z.number(),
  ack_ms: z.number().nullable(),
  resolved_ms: z.number().nullable(),
  status: z.enum(['open', 'acknowledged', 'resolved']),
  age_ms: z.number(),
});
export type ExceptionStateRow = z.infer<typeof exceptionStateRow>;

/** The columns of exceptionStateRow, selectable from `exceptionStates(...)` as a subquery. */
export const STATE_COLUMNS = sql`exception_id, warehouse_id, correlation_id, workflow, category, severity, owner,
  opened_ms, ack_ms, resolved_ms, status, age_ms`;

export function exceptionStates(scope: QueryScope, atMs: number, onlyId?: string): Sql {
  const at = p.time(atMs);
  const only = onlyId === undefined ? empty : sql` AND exception_id = ${p.str(onlyId)}`;
  // Inner aliases avoid column names on purpose: ClickHouse aliases are visible query-wide and would
  // otherwise shadow the column inside the aggregate that defines them.
  const first = (col: Sql) => sql`argMinIf(${col}, (occurred_at, event_id), type = 'exception.opened')`;
  return sql`
    SELECT
      exception_id,
      opened_warehouse AS warehouse_id,
      o_correlation AS correlation_id,
      o_workflow AS workflow,
      o_category AS category,
      o_severity AS severity,
      if(n_assigned > 0, assigned_owner, opened_owner) AS owner,
      toUnixTimestamp64Milli(opened_at) AS opened_ms,
      toUnixTimestamp64Milli(ack_at) AS ack_ms,
      toUnixTimestamp64Milli(resolved_at) AS resolved_ms,
      multiIf(resolved_ms IS NOT NULL, 'resolved', ack_ms IS NOT NULL, 'acknowledged', 'open') AS status,
      toInt64(ifNull(resolved_ms, ${p.i64(atMs)}) - opened_ms) AS age_ms
    FROM (
      SELECT
        exception_id,
        countIf(type = 'exception.opened') AS n_opened,
        toString(${first(sql`warehouse_id`)}) AS opened_warehouse,
        ${first(sql`correlation_id`)} AS o_correlation,
        toString(${first(sql`workflow`)}) AS o_workflow,
        toString(${first(sql`category`)}) AS o_category,
        toString(${first(sql`severity`)}) AS o_severity,
        -- tuple(): argMin/argMax skip NULL arguments, but a NULL owner is a real value here.
        ${first(sql`tuple(owner)`)}.1 AS opened_owner,
        minIf(occurred_at, type = 'exception.opened') AS opened_at,
        countIf(type = 'exception.assigned' AND occurred_at <= ${at}) AS n_assigned,
        argMaxIf(tuple(owner), (occurred_at, event_id), type = 'exception.assigned' AND occurred_at <= ${at}).1 AS assigned_owner,
        maxIf(toNullable(occurred_at), type = 'exception.acknowledged' AND occurred_at <= ${at}) AS ack_at,
        minIf(toNullable(occurred_at), type = 'exception.resolved') AS resolved_at
      FROM events
      WHERE type IN ${p.strs(EXCEPTION_EVENT_TYPES)} AND exception_id != ''${only}
      GROUP BY exception_id
      HAVING n_opened > 0 AND ${scopeFilter(scope, 'opened_warehouse')}
    )`;
}
