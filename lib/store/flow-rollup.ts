import { STAGE_TYPES } from '@/lib/events/stages';
import { join, p, sql, unsafeRaw, type Sql } from './sql';

/**
 * The `flow_transactions` rollup (0013_flow_transactions.sql): per (correlation, warehouse), over business
 * events, everything metrics.md §8 needs at any as_of, each as a min() (idempotent under replays and
 * duplicate rows, and merged across a scope's warehouses by min() again):
 * - `first_business`: the earliest business event as a sortable packed record: 15-digit epoch ms, event_id,
 *   NUL, workflow, NUL, warehouse_id, NUL, document_ref ('' = NULL, else '=' and the value). Event ids
 *   hold no control characters, so NUL ends one and min() orders as argMin by (occurred_at, event_id).
 * - `first_amount`: the earliest event with an `amount`, packed the same way: ms, event_id, NUL, amount.
 * - `<stage>_at` (dots as underscores): the earliest event of each stage type.
 * The raw read path (lib/kpi/flow-relation.ts) aggregates `events` with these same expressions.
 */
export const FLOW_FIRST_BUSINESS = sql`concat(leftPad(toString(toUnixTimestamp64Milli(occurred_at)), 15, '0'), event_id,
  '\\0', toString(workflow), '\\0', toString(warehouse_id), '\\0', if(isNull(document_ref), '', concat('=', assumeNotNull(document_ref))))`;

export const FLOW_FIRST_AMOUNT = sql`concat(leftPad(toString(toUnixTimestamp64Milli(occurred_at)), 15, '0'), event_id, '\\0', toString(amount))`;

/** Business events (metrics.md §8): every type but sync messages, exceptions and snapshots. */
export const FLOW_BUSINESS_ROWS = sql`type NOT IN ('sync.message', 'inventory.snapshot') AND NOT startsWith(type, 'exception.')`;

/** The rollup's column for a stage type, e.g. `order_created_at`. Names come from the fixed stage list only. */
export const stageColumn = (stage: string): Sql => {
  if (!STAGE_TYPES.includes(stage)) throw new Error(`not a stage: ${stage}`);
  return unsafeRaw(`${stage.replace('.', '_')}_at`);
};

/** Columns and per-row aggregates in the view's order, for the startup repair's replay (ingest/recovery.ts). */
export const FLOW_COLUMNS = sql`correlation_id, warehouse_id, first_business, first_amount, ${unsafeRaw(STAGE_TYPES.map((s) => `${s.replace('.', '_')}_at`).join(', '))}`;

export const flowAggregates = (): Sql => sql`correlation_id, toString(warehouse_id) AS warehouse_id,
  min(${FLOW_FIRST_BUSINESS}) AS first_business, minIf(toNullable(${FLOW_FIRST_AMOUNT}), isNotNull(amount)) AS first_amount,
  ${join(STAGE_TYPES.map((s) => sql`minIf(toNullable(occurred_at), type = ${p.str(s)}) AS ${stageColumn(s)}`), ', ')}`;
