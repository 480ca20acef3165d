import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { windowStart } from '@/lib/http/params';
import { codePointLength, textProblem } from '@/lib/events/text';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql, type Sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { scopeFilter } from './common';
import { driftPairs } from './drift';

/**
 * metrics.md §9. For each mismatched (warehouse, sku) at as_of (§4), its movements in (as_of − 7 d, as_of]
 * whose latest sync message (same correlation, warehouse and source system, observed_at ≤ as_of; latest
 * by observed_at, ties by the greater event_id) is failed or dead-lettered, and whether their units, as
 * they move WMS − ERP, add up to the drift exactly.
 */
export const MOVEMENT_WINDOW_MS = 7 * 86_400_000;

/** A SKU names what a snapshot names: 1–256 code points of well-formed text (longer cannot be asked for). */
export const skuSchema = z
  .string()
  .refine((s) => s.length > 0 && codePointLength(s) <= 256, 'sku: must be 1–256 characters')
  .refine((s) => textProblem(s) === null, 'sku: must not contain control characters or unpaired surrogates');

export const driftCausesParams = z.object({ asOf: z.number(), sku: skuSchema.nullable() });
export type DriftCausesParams = z.infer<typeof driftCausesParams>;

export const SYNC_STATUSES_UNSYNCED = ['failed', 'dead_lettered'] as const;

export const causeMovement = z.object({
  event_id: z.string(),
  type: z.string(),
  correlation_id: z.string(),
  occurred_at: z.string(),
  /** The movement's own signed quantity: + into stock, − out, adjustments as given; 0 without a number. */
  signed_quantity: z.number(),
  source_system: z.string(),
  message: z.object({
    status: z.enum(SYNC_STATUSES_UNSYNCED),
    interface: z.string().nullable(),
    error: z.string().nullable(),
    observed_at: z.string(),
  }),
});
export type CauseMovement = z.infer<typeof causeMovement>;

export const driftCauseSku = z.object({
  warehouse_id: z.string(),
  sku: z.string(),
  drift_units: z.number(),
  unsynced_movements: z.number(),
  unsynced_units: z.number(),
  explained: z.boolean(),
  movements: z.array(causeMovement),
});
export type DriftCauseSku = z.infer<typeof driftCauseSku>;

export const driftCausesResponse = z.object({ as_of: z.string(), skus: z.array(driftCauseSku) });
export type DriftCausesResponse = z.infer<typeof driftCausesResponse>;

/** Into stock (+quantity), out of it (−quantity); inventory.adjusted carries its own sign. */
const INBOUND = ['receipt.posted', 'transfer.received', 'return.received'] as const;
const OUTBOUND = ['shipment.confirmed', 'transfer.shipped'] as const;
const MOVEMENT_TYPES = [...INBOUND, ...OUTBOUND, 'inventory.adjusted'] as const;

const DEC_ZERO = sql`toDecimal128(0, 6)`;

/** Mismatched pairs at as_of, optionally one SKU: warehouse_id, sku, drift and value (exact Decimals). */
function mismatched(scope: QueryScope, asOf: number, sku: string | null): Sql {
  const one = sku === null ? sql`1` : sql`sku = ${p.str(sku)}`;
  return sql`SELECT warehouse_id, sku, drift, value FROM (${driftPairs(scope, asOf)}) WHERE drift != 0 AND ${one}`;
}

/**
 * The movements of the mismatched SKUs, deduplicated by event_id. The primary key is
 * (warehouse_id, type, occurred_at, event_id): warehouse, type and the 7-day range bound the scan
 * before the (warehouse, sku) set is checked.
 */
function movements(scope: QueryScope, asOf: number, mism: Sql): Sql {
  return sql`
    SELECT event_id, toString(type) AS mtype, toString(warehouse_id) AS warehouse_id, sku, correlation_id,
      occurred_at, toString(source_system) AS source_system,
      if(type IN ${p.strs(OUTBOUND)}, -1, 1) * ifNull(quantity, ${DEC_ZERO}) AS signed_q
    FROM events
    WHERE ${scopeFilter(scope)}
      AND warehouse_id IN (SELECT warehouse_id FROM (${mism}))
      AND type IN ${p.strs(MOVEMENT_TYPES)}
      AND occurred_at > ${p.time(asOf - MOVEMENT_WINDOW_MS)} AND occurred_at <= ${p.time(asOf)}
      AND (toString(warehouse_id), sku) IN (SELECT warehouse_id, sku FROM (${mism}))
    LIMIT 1 BY event_id`;
}

/**
 * The latest message per (warehouse, correlation, source system) among the movements' correlations.
 * correlation_index bounds their occurred_at (every event of a correlation lies within its first/last),
 * so the scan stays on the primary key's (warehouse, type, occurred_at) range; the bloom filter on
 * correlation_id skips the rest.
 */
function latestMessages(asOf: number, moves: Sql): Sql {
  const corrs = sql`(SELECT correlation_id FROM (${moves}))`;
  return sql`
    SELECT toString(warehouse_id) AS warehouse_id, correlation_id, toString(source_system) AS source_system,
      argMax(tuple(toString(status), interface, JSONExtract(attributes, 'error', 'Nullable(String)'), observed_at), tuple(observed_at, event_id)) AS m
    FROM events
    WHERE type = 'sync.message'
      AND warehouse_id IN (SELECT warehouse_id FROM (${moves}))
      AND occurred_at >= (SELECT min(first_at) FROM correlation_index WHERE correlation_id IN ${corrs})
      AND occurred_at <= (SELECT max(last_at) FROM correlation_index WHERE correlation_id IN ${corrs})
      AND correlation_id IN ${corrs}
      AND observed_at <= ${p.time(asOf)}
    GROUP BY warehouse_id, correlation_id, source_system`;
}

const movementTuple = z.tuple([
  z.string(), // event_id
  z.string(), // type
  z.string(), // correlation_id
  z.number(), // occurred_at ms
  z.number(), // signed quantity
  z.string(), // source_system
  z.enum(SYNC_STATUSES_UNSYNCED), // status
  z.string().nullable(), // interface
  z.string().nullable(), // error
  z.number(), // observed_at ms
]);

const row = z.object({
  warehouse_id: z.string(),
  sku: z.string(),
  drift_units: z.number(),
  unsynced_units: z.number(),
  explained: z.number(),
  moves: z.array(movementTuple),
});

const iso = (ms: number) => new Date(ms).toISOString();

export async function driftCauses(scope: QueryScope, params: DriftCausesParams): Promise<DriftCausesResponse> {
  const parsed = driftCausesParams.safeParse(params);
  if (!parsed.success) throw new AppError('bad_request', parsed.error.issues[0]?.message ?? 'sku: invalid');
  const { asOf, sku } = parsed.data;
  windowStart('as_of', asOf, MOVEMENT_WINDOW_MS, 'the 7-day movement window');
  return withSpan('kpi.drift_causes', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const mism = mismatched(scope, asOf, sku);
    const moves = movements(scope, asOf, mism);
    // Counted as they move WMS − ERP: what the WMS did and the ERP never heard of raises the drift.
    const q = sql`
      WITH unsynced AS (
        SELECT mv.event_id AS event_id, mv.mtype AS mtype, mv.warehouse_id AS warehouse_id, mv.sku AS sku,
          mv.correlation_id AS correlation_id, mv.occurred_at AS occurred_at, mv.source_system AS source_system,
          mv.signed_q AS signed_q, lm.m AS m,
          multiIf(mv.source_system = 'WMS', mv.signed_q, mv.source_system = 'ERP', -mv.signed_q, ${DEC_ZERO}) AS units
        FROM (${moves}) AS mv
        INNER JOIN (${latestMessages(asOf, moves)}) AS lm
          ON mv.warehouse_id = lm.warehouse_id AND mv.correlation_id = lm.correlation_id AND mv.source_system = lm.source_system
        WHERE tupleElement(lm.m, 1) IN ${p.strs(SYNC_STATUSES_UNSYNCED)}
      )
      SELECT
        ms.warehouse_id AS warehouse_id,
        ms.sku AS sku,
        toFloat64(any(ms.drift)) AS drift_units,
        toFloat64(sum(u.units)) AS unsynced_units,
        sum(u.units) = any(ms.drift) AS explained,
        -- Oldest first, then event_id, so the list reads as the story happened.
        arraySort(x -> (tupleElement(x, 4), tupleElement(x, 1)), groupArrayIf(
          tuple(u.event_id, u.mtype, u.correlation_id, toUnixTimestamp64Milli(u.occurred_at), toFloat64(u.signed_q), u.source_system,
            tupleElement(u.m, 1), tupleElement(u.m, 2), tupleElement(u.m, 3), toUnixTimestamp64Milli(tupleElement(u.m, 4))),
          u.event_id != '')) AS moves
      FROM (${mism}) AS ms
      LEFT JOIN unsynced AS u ON ms.warehouse_id = u.warehouse_id AND ms.sku = u.sku
      GROUP BY ms.warehouse_id, ms.sku
      ORDER BY any(ms.value) DESC, warehouse_id ASC, sku ASC`;
    const rows = await query(q, row, { name: 'kpi.drift_causes' });
    return {
      as_of: iso(asOf),
      skus: rows.map((r) => ({
        warehouse_id: r.warehouse_id,
        sku: r.sku,
        drift_units: r.drift_units + 0,
        unsynced_movements: r.moves.length,
        unsynced_units: r.unsynced_units + 0,
        explained: r.explained === 1,
        movements: r.moves.map(([event_id, type, correlation_id, occurredMs, signed, source_system, status, iface, error, observedMs]) => ({
          event_id,
          type,
          correlation_id,
          occurred_at: iso(occurredMs),
          signed_quantity: signed + 0,
          source_system,
          message: { status, interface: iface, error, observed_at: iso(observedMs) },
        })),
      })),
    };
  });
}
