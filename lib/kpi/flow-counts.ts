import { p, sql, type Sql } from '@/lib/store';
import type { FlowSlos } from '@/lib/events/stages';
import { sloMs } from './flow-relation';
import type { FlowSnapshot } from './flow-snapshot';

/**
 * The Flow KPI's cells (metrics.md §8) from a snapshot's counts (0017_flow_counts.sql), for a fleet-wide read
 * that the counts answer exactly: nothing touched since the snapshot and an as_of at or after the newest time
 * it saw, so every waiting transaction is in it as stored. Per workflow × stage × warehouse × reached hour:
 * an hour that ends at or before as_of − SLA is overdue whole (wait > SLA, strictly: reached < as_of − SLA),
 * one that starts after it is not; in the hour that holds as_of − SLA the overdue transactions are read one by
 * one from flow_state. Transactions spread over warehouses are not in the counts: they are read one by one.
 * Same columns as the per-transaction query in lib/kpi/flow.ts, so both answers are the same.
 */
const HOUR_MS = 3_600_000;
const NEVER = sql`toInt64(9223372036854775807)`;
const ZERO = sql`toDecimal128(0, 6)`;

/** Whether the counts of `snap` answer a fleet-wide read at `asOf`. */
export const countsAnswer = (snap: FlowSnapshot, asOf: number): boolean => snap.touched === 0 && asOf >= snap.max_last_ms;

export function flowCountCells(snap: FlowSnapshot, asOf: number, slos: FlowSlos, only: Sql): Sql {
  const sid = p.u64(snap.snapshot_id);
  const at = p.i64(asOf);
  const h = p.i64(HOUR_MS);
  const withCut = (table: Sql, where: Sql) => sql`SELECT *, ${at} - ${sloMs(slos)} AS cut FROM ${table} WHERE snapshot_id = ${sid} AND ${where} AND ${only}`;
  const keys = sql`toString(workflow) AS workflow, toString(stage) AS stage, toString(warehouse_id) AS warehouse_id`;
  return sql`
    SELECT workflow, stage, warehouse_id, grouping(warehouse_id) AS is_total,
           sum(n) AS n_waiting, sum(n_over) AS n_overdue, ${at} - min(min_reached) AS oldest_ms,
           toFloat64(round(sum(amount_over), 2)) AS overdue_amount
    FROM (
      SELECT ${keys}, n, if(hour_ms + ${h} <= cut, n, 0) AS n_over, min_reached, if(hour_ms + ${h} <= cut, amount, ${ZERO}) AS amount_over
      FROM (${withCut(sql`flow_counts`, sql`1`)})
      UNION ALL
      SELECT ${keys}, toUInt64(0) AS n, toUInt64(1) AS n_over, ${NEVER} AS min_reached, ifNull(amount, ${ZERO}) AS amount_over
      FROM (${withCut(sql`flow_state`, sql`multi = 0 AND stage != ''`)})
      WHERE reached_ms < cut AND reached_ms >= cut - positiveModulo(cut, ${h})
      UNION ALL
      SELECT ${keys}, toUInt64(1) AS n, toUInt64(reached_ms < cut) AS n_over, reached_ms AS min_reached,
             if(reached_ms < cut, ifNull(amount, ${ZERO}), ${ZERO}) AS amount_over
      FROM (${withCut(sql`flow_state`, sql`multi = 1 AND stage != ''`)})
    )
    GROUP BY GROUPING SETS ((workflow, stage, warehouse_id), (workflow, stage))`;
}

/** The counts of snapshot `sid` from its flow_state rows (the build runs it before the snapshot is complete). */
export const buildCounts = (sid: number): Sql => sql`
  INSERT INTO flow_counts (snapshot_id, workflow, stage, warehouse_id, hour_ms, n, min_reached, amount)
  SELECT snapshot_id, workflow, stage, warehouse_id, reached_ms - positiveModulo(reached_ms, ${p.i64(HOUR_MS)}) AS hour_ms,
         count(), min(reached_ms), sum(ifNull(amount, ${ZERO}))
  FROM flow_state
  WHERE snapshot_id = ${p.u64(sid)} AND multi = 0 AND stage != ''
  GROUP BY snapshot_id, workflow, stage, warehouse_id, hour_ms`;
