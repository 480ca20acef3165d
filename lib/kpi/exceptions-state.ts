import { z } from 'zod';
import { SEVERITIES, WORKFLOWS } from '@/lib/events';
import type { QueryScope } from '@/lib/scope';
import { empty, p, sql, type Sql } from '@/lib/store';
import { scopeFilter } from './common';
import { fromRollup } from './tables';

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
 * Aggregates (min/argMin/count>0, sets) are insensitive to a duplicate row that a merge has not collapsed
 * yet. Read from the `exception_state` rollup, or from raw events under CT_FORCE_RAW (lib/kpi/tables.ts).
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

/**
 * The per-exception aggregate both sources produce, in the same columns and types: identity from the
 * earliest opening (`opened_warehouse`, `o_*`, `opened_owner`, `o_at`), assignments and the latest
 * acknowledgement at or before `at` (`n_assigned`, `assigned_owner`, `ack_at`), the first resolution
 * (`r_at`). Only exceptions with an opening, opened in scope.
 */
function rawAggregate(scope: QueryScope, at: Sql, only: Sql): Sql {
  const first = (col: Sql) => sql`argMinIf(${col}, (occurred_at, event_id), type = 'exception.opened')`;
  return sql`
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
      minIf(toNullable(occurred_at), type = 'exception.opened') AS o_at,
      countIf(type = 'exception.assigned' AND occurred_at <= ${at}) AS n_assigned,
      argMaxIf(tuple(owner), (occurred_at, event_id), type = 'exception.assigned' AND occurred_at <= ${at}).1 AS assigned_owner,
      maxIf(toNullable(occurred_at), type = 'exception.acknowledged' AND occurred_at <= ${at}) AS ack_at,
      minIf(toNullable(occurred_at), type = 'exception.resolved') AS r_at
    FROM events
    WHERE type IN ${p.strs(EXCEPTION_EVENT_TYPES)} AND exception_id != ''${only}
    GROUP BY exception_id
    HAVING n_opened > 0 AND ${scopeFilter(scope, 'opened_warehouse')}`;
}

/**
 * The same from `exception_state` (0009_exception_state.sql): one row per exception after merges, so the
 * cost is proportional to exceptions, not to their events. The opening is unpacked from its min() text
 * (FIRST_OPENING in lib/store/rollups.ts); "at or before `at`" is answered from the stored sets:
 * assignments are (occurred_at, event_id, owner) tuples, whose maximum is the latest by
 * (occurred_at, event_id) exactly as argMax orders them.
 */
function rollupAggregate(scope: QueryScope, at: Sql, only: Sql): Sql {
  return sql`
    SELECT
      exception_id,
      min(first_opened) AS o_packed,
      splitByChar('\\0', ifNull(o_packed, '')) AS o_parts,
      o_parts[2] AS opened_warehouse,
      o_parts[3] AS o_correlation,
      o_parts[4] AS o_workflow,
      o_parts[5] AS o_category,
      o_parts[6] AS o_severity,
      if(o_parts[7] = '', NULL, substring(o_parts[7], 2)) AS opened_owner,
      fromUnixTimestamp64Milli(toInt64OrNull(substring(o_packed, 1, 15)), 'UTC') AS o_at,
      arrayFilter(a -> a.1 <= ${at}, groupUniqArrayArray(assignments)) AS assigned_before,
      length(assigned_before) AS n_assigned,
      arrayReduce('max', assigned_before).3 AS assigned_owner,
      arrayReduce('max', arrayMap(t -> toNullable(t), arrayFilter(t -> t <= ${at}, groupUniqArrayArray(acks)))) AS ack_at,
      min(resolved_at) AS r_at
    FROM exception_state
    WHERE 1${only}
    GROUP BY exception_id
    HAVING o_packed IS NOT NULL AND ${scopeFilter(scope, 'opened_warehouse')}`;
}

/**
 * Every exception in scope (or only `only`: one id or a list), as exceptionStateRow, at `atMs`.
 * The source is chosen by lib/kpi/tables.ts; both give the same rows (rollups.exceptions.test.ts).
 */
export function exceptionStates(scope: QueryScope, atMs: number, only?: string | readonly string[]): Sql {
  const at = sql`${p.time(atMs)}`;
  const ids = only === undefined ? empty : typeof only === 'string' ? sql` AND exception_id = ${p.str(only)}` : sql` AND exception_id IN ${p.strs(only)}`;
  // Inner aliases avoid column names on purpose: ClickHouse aliases are visible query-wide and would
  // otherwise shadow the column inside the aggregate that defines them.
  const inner = fromRollup('exception_state') ? rollupAggregate(scope, at, ids) : rawAggregate(scope, at, ids);
  return sql`
    SELECT
      exception_id,
      opened_warehouse AS warehouse_id,
      o_correlation AS correlation_id,
      o_workflow AS workflow,
      o_category AS category,
      o_severity AS severity,
      if(n_assigned > 0, assigned_owner, opened_owner) AS owner,
      toUnixTimestamp64Milli(assumeNotNull(o_at)) AS opened_ms,
      toUnixTimestamp64Milli(ack_at) AS ack_ms,
      toUnixTimestamp64Milli(r_at) AS resolved_ms,
      multiIf(resolved_ms IS NOT NULL, 'resolved', ack_ms IS NOT NULL, 'acknowledged', 'open') AS status,
      toInt64(ifNull(resolved_ms, ${p.i64(atMs)}) - opened_ms) AS age_ms
    FROM (${inner})`;
}
