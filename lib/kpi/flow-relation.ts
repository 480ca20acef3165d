import type { QueryScope } from '@/lib/scope';
import { join, p, sql, unsafeRaw, type Sql, type SqlValue } from '@/lib/store';
import { FLOW_BUSINESS_ROWS, flowAggregates, stageColumn } from '@/lib/store/flow-rollup';
import { scopeFilter } from './common';
import { FLOW_STAGES, FLOW_WORKFLOWS, STAGE_TYPES, waitingStages, type FlowSlos } from '@/lib/events/stages';
import { fromRollup } from './tables';

/**
 * metrics.md §8 as one relation: per transaction (correlation) in scope, where it waits at `asOf`.
 *
 * Scope: a transaction is built from its IN-SCOPE business events only, as the drill-down builds it from
 * its in-scope events, so both agree on its workflow; its warehouse (of its earliest such event) is then
 * in scope by construction. A correlation spread over warehouses in and out of scope shows a limited user
 * only the part they may see. Duplicate rows (same event_id) cannot change any min(), so no dedup pass.
 */
function perTransaction(scope: QueryScope): Sql {
  const stages = join(STAGE_TYPES.map((s) => sql`min(${stageColumn(s)}) AS ${stageColumn(s)}`), ', ');
  const inner = fromRollup('flow_transactions')
    ? sql`SELECT correlation_id, min(first_business) AS first_business, min(first_amount) AS first_amount, ${stages}
          FROM flow_transactions WHERE ${scopeFilter(scope)} GROUP BY correlation_id`
    : sql`SELECT correlation_id, min(first_business) AS first_business, min(first_amount) AS first_amount, ${stages}
          FROM (SELECT ${flowAggregates()} FROM events WHERE ${FLOW_BUSINESS_ROWS} AND ${scopeFilter(scope)}
                GROUP BY correlation_id, warehouse_id)
          GROUP BY correlation_id`;
  return sql`
    SELECT *, splitByChar('\\0', first_business) AS fb,
           fb[2] AS workflow, fb[3] AS warehouse_id, if(fb[4] = '', NULL, substring(fb[4], 2)) AS document_ref,
           if(isNull(first_amount), NULL, toInt64(substring(assumeNotNull(first_amount), 1, 15))) AS amount_ms,
           toDecimal128OrNull(splitByChar('\\0', assumeNotNull(first_amount))[2], 6) AS first_amount_value
    FROM (${inner})`;
}

const reachedBy = (stage: string, at: SqlValue): Sql => sql`ifNull(${stageColumn(stage)} <= ${at}, 0)`;

/**
 * The stage the transaction waits at: the last of its workflow's stages (in workflow order) reached at
 * `at`; '' when it reached none or reached the final one (waits nowhere), or has no expected stages.
 * The index of the last stage reached is the greatest of (reached × position): plain arithmetic over the
 * columns, several times cheaper than a chain of conditions per row (measured on 100k transactions).
 */
function waitingAt(at: SqlValue): Sql {
  const perWorkflow = FLOW_WORKFLOWS.map((w) => {
    const list = FLOW_STAGES[w];
    // Position n (the final stage) and 0 (none reached: arrays answer index 0 with '') both wait nowhere.
    const names = join([...list.slice(0, -1).map((s) => sql`${p.str(s)}`), sql`''`], ', ');
    const index = join(list.map((s, i) => sql`${reachedBy(s, at)} * ${unsafeRaw(String(i + 1))}`), ', ');
    return sql`workflow = ${p.str(w)}, [${names}][greatest(${index}, 0)]`;
  });
  return sql`multiIf(${join(perWorkflow, ', ')}, '')`;
}

/** The time of the waiting stage (its earliest event), in ms. */
function reachedMs(): Sql {
  const branches = STAGE_TYPES.map((s) => sql`stage = ${p.str(s)}, toUnixTimestamp64Milli(assumeNotNull(${stageColumn(s)}))`);
  return sql`multiIf(${join(branches, ', ')}, toInt64(0))`;
}

function sloMs(slos: FlowSlos): Sql {
  const branches = FLOW_WORKFLOWS.flatMap((w) =>
    waitingStages(w).map((s) => sql`workflow = ${p.str(w)} AND stage = ${p.str(s)}, ${p.i64(Math.round(slos[w][s]! * 1000))}`),
  );
  return sql`multiIf(${join(branches, ', ')}, toInt64(0))`;
}

/**
 * One row per waiting transaction at `asOf`: correlation_id, workflow, warehouse_id, document_ref, stage,
 * reached_ms, wait_ms, slo_ms, overdue (wait > SLA, strictly), amount (of the earliest in-scope event
 * with one at or before asOf, ties the smaller event_id; NULL when none). `only` narrows (e.g. a workflow).
 */
export function flowWaits(scope: QueryScope, asOf: number, slos: FlowSlos, only: Sql = sql`1`): Sql {
  const at = p.time(asOf);
  return sql`
    SELECT correlation_id, workflow, warehouse_id, document_ref, stage, reached_ms, wait_ms, slo_ms,
           toUInt8(wait_ms > slo_ms) AS overdue,
           if(ifNull(amount_ms <= ${p.i64(asOf)}, 0), first_amount_value, NULL) AS amount
    FROM (
      SELECT *, ${reachedMs()} AS reached_ms, ${p.i64(asOf)} - reached_ms AS wait_ms, ${sloMs(slos)} AS slo_ms
      FROM (SELECT *, ${waitingAt(at)} AS stage FROM (${perTransaction(scope)}))
      WHERE stage != ''
    )
    WHERE ${only}`;
}
