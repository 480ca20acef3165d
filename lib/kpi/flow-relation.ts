import type { QueryScope } from '@/lib/scope';
import { join, p, sql, unsafeRaw, type Sql, type SqlValue } from '@/lib/store';
import { FLOW_BUSINESS_ROWS, flowAggregates, stageColumn } from '@/lib/store/flow-rollup';
import { scopeFilter } from './common';
import { FLOW_STAGES, FLOW_WORKFLOWS, STAGE_TYPES, waitingStages, type FlowSlos } from '@/lib/events/stages';
import { usableSnapshot, type FlowSnapshot } from './flow-snapshot';
import { fromRollup } from './tables';

/**
 * metrics.md §8 as one relation: per transaction (correlation) in scope, where it waits at `asOf`.
 *
 * Scope: a transaction is built from its IN-SCOPE business events only, as the drill-down builds it from
 * its in-scope events, so both agree on its workflow; its warehouse (of its earliest such event) is then
 * in scope by construction. A correlation spread over warehouses in and out of scope shows a limited user
 * only the part they may see. Duplicate rows (same event_id) cannot change any min(), so no dedup pass.
 */
function perTransaction(scope: QueryScope, among: Sql, warehouses: boolean): Sql {
  const stages = join(STAGE_TYPES.map((s) => sql`min(${stageColumn(s)}) AS ${stageColumn(s)}`), ', ');
  // The snapshot build also keeps which warehouses a transaction's business events came from.
  const whs = warehouses ? sql`, arraySort(groupUniqArray(warehouse_id)) AS warehouses` : sql``;
  const inner = fromRollup('flow_transactions')
    ? sql`SELECT correlation_id, min(first_business) AS first_business, min(first_amount) AS first_amount, ${stages}${whs}
          FROM flow_transactions WHERE ${scopeFilter(scope)} AND ${among} GROUP BY correlation_id`
    : sql`SELECT correlation_id, min(first_business) AS first_business, min(first_amount) AS first_amount, ${stages}${whs}
          FROM (SELECT ${flowAggregates()} FROM events WHERE ${FLOW_BUSINESS_ROWS} AND ${scopeFilter(scope)} AND ${among}
                GROUP BY correlation_id, warehouse_id)
          GROUP BY correlation_id`;
  return sql`
    SELECT *, splitByChar('\\0', first_business) AS fb,
           fb[2] AS workflow, fb[3] AS warehouse_id, if(fb[4] = '', NULL, substring(fb[4], 2)) AS document_ref,
           if(isNull(first_amount), NULL, toInt64(substring(assumeNotNull(first_amount), 1, 15))) AS amount_ms,
           toDecimal128OrNull(splitByChar('\\0', assumeNotNull(first_amount))[2], 6) AS first_amount_value
    FROM (${inner})`;
}

/** `at` null: every stage the transaction has (its state at any as_of at or after all its times). */
const reachedBy = (stage: string, at: SqlValue | null): Sql =>
  at === null ? sql`isNotNull(${stageColumn(stage)})` : sql`ifNull(${stageColumn(stage)} <= ${at}, 0)`;

/**
 * The stage the transaction waits at: the last of its workflow's stages (in workflow order) reached at
 * `at`; '' when it reached none or reached the final one (waits nowhere), or has no expected stages.
 * The index of the last stage reached is the greatest of (reached × position): plain arithmetic over the
 * columns, several times cheaper than a chain of conditions per row (measured on 100k transactions).
 */
function waitingAt(at: SqlValue | null): Sql {
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

export function sloMs(slos: FlowSlos): Sql {
  // transform() over "workflow/stage": several times cheaper than a multiIf of string comparisons (measured:
  // ~70 ms less on 47k rows). Workflows are an enum of plain names, so the key is unambiguous.
  const pairs = FLOW_WORKFLOWS.flatMap((w) => waitingStages(w).map((s) => [`${w}/${s}`, Math.round(slos[w][s]! * 1000)] as const));
  return sql`transform(concat(workflow, '/', stage), ${p.strs(pairs.map((x) => x[0]))}, ${p.i64s(pairs.map((x) => x[1]))}, toInt64(0))`;
}

/** `source` (with workflow and the stage columns) plus its stage at `asOf` (null: at any as_of after all its times) and reached_ms. */
function withStage(source: Sql, asOf: number | null): Sql {
  return sql`
    SELECT *, ${reachedMs()} AS reached_ms
    FROM (SELECT *, ${waitingAt(asOf === null ? null : p.time(asOf))} AS stage FROM (${source}))`;
}

/**
 * Per transaction in scope (narrowed by `among`), as metrics.md §8 builds it: correlation_id, workflow,
 * warehouse_id, document_ref, stage ('' = waits nowhere) and reached_ms at `asOf` (null: at any as_of at or
 * after all its times), amount_ms and first_amount_value (its earliest amount, whenever it was).
 */
export function transactionStates(scope: QueryScope, asOf: number | null, among: Sql = sql`1`, warehouses = false): Sql {
  return withStage(perTransaction(scope, among, warehouses), asOf);
}

/** Its workflow's expected stages in order, and the earliest time of each in ms (NULL: none): flow_state's arrays. */
export function stageArrays(): Sql {
  const per = (f: (stages: readonly string[]) => Sql) =>
    sql`multiIf(${join(FLOW_WORKFLOWS.map((w) => sql`workflow = ${p.str(w)}, ${f(FLOW_STAGES[w])}`), ', ')}, ${f([])})`;
  const names = per((list) => sql`CAST([${join(list.map((s) => sql`${p.str(s)}`), ', ')}] AS Array(String))`);
  const times = per((list) => sql`CAST([${join(list.map((s) => sql`toUnixTimestamp64Milli(${stageColumn(s)})`), ', ')}] AS Array(Nullable(Int64)))`);
  return sql`${names} AS stage_names, ${times} AS stage_times`;
}

/**
 * The stage at `asOf` from flow_state's arrays, as waitingAt decides it (the last expected stage reached,
 * in workflow order; '' for none or the final one), with its time. A small expression on purpose: the
 * engine's planning of waitingAt's costs more than running it on a few hundred rows (measured ~25 ms).
 */
function stageFromArrays(asOf: number, late: Sql): Sql {
  const idx = sql`arrayMax(arrayMap((t, i) -> if(ifNull(t <= ${p.i64(asOf)}, 0), i, 0), stage_times, arrayEnumerate(stage_times)))`;
  return sql`
    SELECT *, if(n_reached = 0 OR n_reached = length(stage_names), '', stage_names[n_reached]) AS stage,
           if(stage = '', toInt64(0), assumeNotNull(stage_times[n_reached])) AS reached_ms
    FROM (SELECT *, ${idx} AS n_reached FROM (${late}))`;
}

/** The latest of a transaction's stage and amount times (ms; 0 when none): at any as_of ≥ it, its state is fixed. */
export function lastMs(): Sql {
  const times = STAGE_TYPES.map((s) => sql`ifNull(toUnixTimestamp64Milli(${stageColumn(s)}), 0)`);
  return sql`greatest(ifNull(amount_ms, 0), ${join(times, ', ')})`;
}

/** The waiting transactions at `asOf` among `among`, with the columns the snapshot read shares (lib/kpi/flow-snapshot.ts). */
export function exactWaits(scope: QueryScope, asOf: number, among: Sql = sql`1`): Sql {
  return sql`
    SELECT correlation_id, workflow, warehouse_id, document_ref, stage, reached_ms, amount_ms, first_amount_value
    FROM (${transactionStates(scope, asOf, among)})
    WHERE stage != ''`;
}

/**
 * One row per waiting transaction at `asOf`: correlation_id, workflow, warehouse_id, document_ref, stage,
 * reached_ms, wait_ms, slo_ms, overdue (wait > SLA, strictly), amount (of the earliest in-scope event
 * with one at or before asOf, ties the smaller event_id; NULL when none). `only` narrows (e.g. a workflow); it may name only
 * `workflow` and `stage`, and the snapshot read applies it where it reads flow_state (one stage is a fraction of the rows).
 * From the latest flow snapshot and the transactions touched since, when one answers `asOf` (see
 * lib/kpi/flow-snapshot.ts); otherwise from every transaction.
 */
export async function flowWaits(scope: QueryScope, asOf: number, slos: FlowSlos, only: Sql = sql`1`, looked?: FlowSnapshot | null): Promise<Sql> {
  const snap = looked !== undefined ? looked : fromRollup('flow_state') ? await usableSnapshot(asOf) : null;
  const base = snap === null ? exactWaits(scope, asOf) : snapshotWaits(snap, scope, asOf, only);
  return sql`
    SELECT correlation_id, workflow, warehouse_id, document_ref, stage, reached_ms, wait_ms, slo_ms,
           toUInt8(wait_ms > slo_ms) AS overdue,
           if(ifNull(amount_ms <= ${p.i64(asOf)}, 0), first_amount_value, NULL) AS amount
    FROM (SELECT *, ${p.i64(asOf)} - reached_ms AS wait_ms, ${sloMs(slos)} AS slo_ms FROM (${base}))
    WHERE ${only}`;
}

/**
 * The waiting transactions at `asOf` (the columns of exactWaits) from snapshot `snap` and what changed since
 * (lib/kpi/flow-snapshot.ts says why this is exact):
 * - kept: its rows with last_ms ≤ as_of, their state as stored;
 * - late: its rows with last_ms > as_of, evaluated at as_of from the stage times it stored (stageFromArrays);
 * both only for correlations not touched since the snapshot's covers_before and whose warehouses are all in
 * scope. The rest — the touched correlations and the multi-warehouse rows only partly in scope (a limited
 * scope builds a transaction from its in-scope events only) — from flow_transactions (point lookups).
 */
export function snapshotWaits(snap: FlowSnapshot, scope: QueryScope, asOf: number, only: Sql = sql`1`): Sql {
  const sid = p.u64(snap.snapshot_id);
  const at = p.i64(asOf);
  const touched = sql`SELECT correlation_id FROM flow_touches WHERE ingested_at >= ${p.time(snap.covers_before_ms)}`;
  const whs = scope.warehouses === null ? null : p.strs(scope.warehouses);
  const whole = whs === null ? sql`1` : sql`hasAll(${whs}, warehouses)`;
  // Nothing touched when the snapshot was looked up: no touched correlation to re-evaluate (and, fleet-wide,
  // no delta at all); the read is then the answer as of that look-up, as any read that races an insert.
  const anyTouched = snap.touched > 0;
  const delta = anyTouched || whs !== null;
  const rows = sql`snapshot_id = ${sid} AND ${whole} AND ${anyTouched ? sql`correlation_id NOT IN (${touched})` : sql`1`}`;
  const partly = sql`SELECT correlation_id FROM flow_state WHERE snapshot_id = ${sid} AND hasAny(warehouses, ${whs ?? p.strs([])}) AND NOT hasAll(${whs ?? p.strs([])}, warehouses)`;
  const redo = whs === null
    ? sql`correlation_id IN (${touched})`
    : sql`correlation_id IN (${anyTouched ? sql`${touched} UNION ALL ${partly}` : partly})`;
  // Rows changed after the build are all touched (re-evaluated below), so at an as_of at or after the newest time
  // the build saw no kept row is late: the branch (~15 ms of planning for its array expressions) is left out.
  const lateRows = asOf < snap.max_last_ms;
  const late = sql`
    SELECT correlation_id, toString(workflow) AS workflow, toString(warehouse_id) AS warehouse_id, document_ref, amount_ms,
           amount AS first_amount_value, stage_names, stage_times
    FROM flow_state WHERE ${rows} AND last_ms > ${at}`;
  return sql`
    SELECT correlation_id, toString(workflow) AS workflow, toString(warehouse_id) AS warehouse_id, document_ref,
           toString(stage) AS stage, reached_ms, amount_ms, amount AS first_amount_value
    FROM flow_state
    WHERE ${rows} AND last_ms <= ${at} AND stage != '' AND ${only}
    ${lateRows ? sql`UNION ALL
    SELECT correlation_id, workflow, warehouse_id, document_ref, stage, reached_ms, amount_ms, first_amount_value
    FROM (${stageFromArrays(asOf, late)}) WHERE stage != '' AND ${only}` : sql``}
    ${delta ? sql`UNION ALL SELECT * FROM (${exactWaits(scope, asOf, redo)}) WHERE ${only}` : sql``}`;
}
