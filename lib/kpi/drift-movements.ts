import { z } from 'zod';
import { join, p, query, sql, type Sql } from '@/lib/store';
import { fromRollup } from './tables';

/**
 * metrics.md §9, steps 2–4 of the drift causes: the movements of the mismatched (warehouse, sku) pairs in
 * (as_of − 7 d, as_of] whose latest sync message (same correlation, warehouse and source system, observed_at ≤
 * as_of; latest by observed_at, ties by the greater event_id) is failed or dead-lettered. From the
 * stock_movements and sync_latest rollups (0014) in one statement, or from raw events (CT_FORCE_RAW=1).
 */
export const MOVEMENT_WINDOW_MS = 7 * 86_400_000;

export const SYNC_STATUSES_UNSYNCED = ['failed', 'dead_lettered'] as const;
type Unsynced = (typeof SYNC_STATUSES_UNSYNCED)[number];
const UNSYNCED: ReadonlySet<string> = new Set(SYNC_STATUSES_UNSYNCED);
const isUnsynced = (s: string): s is Unsynced => UNSYNCED.has(s);

/** Into stock (+quantity), out of it (−quantity); inventory.adjusted carries its own sign. */
const INBOUND = ['receipt.posted', 'transfer.received', 'return.received'] as const;
const OUTBOUND = ['shipment.confirmed', 'transfer.shipped'] as const;
const MOVEMENT_TYPES = [...INBOUND, ...OUTBOUND, 'inventory.adjusted'] as const;

const DEC_ZERO = sql`toDecimal128(0, 6)`;

const movementRow = z.object({
  event_id: z.string(),
  type: z.string(),
  warehouse_id: z.string(),
  sku: z.string(),
  correlation_id: z.string(),
  occurred_ms: z.number(),
  source_system: z.string(),
  /** Exact Decimal(38, 6) text of the signed quantity. */
  signed_q: z.string(),
});
export type MovementRow = z.infer<typeof movementRow>;

export interface LatestMessage {
  status: Unsynced;
  interface: string | null;
  error: string | null;
  observed_ms: number;
}

/** An unsynced movement with its latest message, in (occurred_at, event_id) order. */
export interface UnsyncedMovement {
  mv: MovementRow;
  msg: LatestMessage;
}

export interface Pair {
  warehouse_id: string;
  sku: string;
}

const key = (...parts: string[]) => parts.join('\u0000');
const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];

export async function unsyncedMovements(asOf: number, pairs: readonly Pair[]): Promise<UnsyncedMovement[]> {
  if (pairs.length === 0) return [];
  return fromRollup('stock_movements') && fromRollup('sync_latest') ? fromRollups(asOf, pairs) : fromRaw(asOf, pairs);
}

// ---- raw events ----

async function fromRaw(asOf: number, pairs: readonly Pair[]): Promise<UnsyncedMovement[]> {
  const wanted = new Set(pairs.map((r) => key(r.warehouse_id, r.sku)));
  const moves = (await movements(asOf, uniq(pairs.map((r) => r.warehouse_id)), uniq(pairs.map((r) => r.sku)))).filter((m) => wanted.has(key(m.warehouse_id, m.sku)));
  if (moves.length === 0) return [];
  const latest = await latestOf(asOf, moves);
  return moves.flatMap((mv) => {
    const msg = latest.get(key(mv.warehouse_id, mv.correlation_id, mv.source_system));
    return msg ? [{ mv, msg }] : [];
  });
}

/** The unsynced latest messages (raw steps 3 and 4) of the given movements' keys, by (warehouse, correlation, source). */
async function latestOf(asOf: number, moves: readonly MovementRow[]): Promise<Map<string, LatestMessage>> {
  const messages = await latestMessages(asOf, uniq(moves.map((m) => m.warehouse_id)), uniq(moves.map((m) => m.correlation_id)));
  const errors = await messageErrors(messages.filter((m) => isUnsynced(m.status)));
  const out = new Map<string, LatestMessage>();
  for (const m of messages) {
    if (!isUnsynced(m.status)) continue;
    out.set(key(m.warehouse_id, m.correlation_id, m.source_system), { status: m.status, interface: m.interface, error: errors.get(m.event_id) ?? null, observed_ms: m.observed_ms });
  }
  return out;
}

/**
 * Step 2: the movements of those SKUs, deduplicated by event_id, oldest first. The events key is
 * (warehouse_id, type, occurred_at, event_id), so warehouses, the six types and the 7-day range are key
 * ranges; the SKU set narrows them, and the exact (warehouse, sku) pairs are kept by the caller.
 */
async function movements(asOf: number, whs: string[], skus: string[]) {
  return query(
    sql`SELECT event_id, toString(type) AS type, toString(warehouse_id) AS warehouse_id, sku, correlation_id,
          toUnixTimestamp64Milli(occurred_at) AS occurred_ms, toString(source_system) AS source_system,
          toString(if(type IN ${p.strs(OUTBOUND)}, -1, 1) * ifNull(quantity, ${DEC_ZERO})) AS signed_q
        FROM events
        WHERE warehouse_id IN ${p.strs(whs)}
          AND type IN ${p.strs(MOVEMENT_TYPES)}
          AND occurred_at > ${p.time(asOf - MOVEMENT_WINDOW_MS)} AND occurred_at <= ${p.time(asOf)}
          AND sku IN ${p.strs(skus)}
        ORDER BY occurred_at, event_id
        LIMIT 1 BY event_id`,
    movementRow,
    { name: 'kpi.drift_causes.movements' },
  );
}

const messageRow = z.object({
  warehouse_id: z.string(),
  correlation_id: z.string(),
  source_system: z.string(),
  status: z.string(),
  interface: z.string().nullable(),
  observed_ms: z.number(),
  occurred_at: z.string(),
  event_id: z.string(),
});
type MessageRow = z.infer<typeof messageRow>;

const rangeRow = z.object({ correlation_id: z.string(), first_ms: z.number(), last_ms: z.number() });

/** Correlations that began within this long before the movement window count as recent (see below). */
const RECENT_MS = 2 * 86_400_000;

/**
 * Step 3: the latest message (observed_at, then event_id) per (warehouse, correlation, source system) of
 * the movements. correlation_index (keyed by correlation_id) says when each correlation's events lie, so the
 * scan is the key range (warehouse, 'sync.message', occurred_at) of the recent correlations — most of them:
 * their transactions began at most two days before the movement window — plus, for the few long-lived
 * ones (a stock-count correlation spans months), the granules the bloom filter on correlation_id admits.
 * The scan reads no `attributes`: the error text is fetched for the unsynced winners alone (step 4).
 */
async function latestMessages(asOf: number, whs: string[], corrs: string[]): Promise<MessageRow[]> {
  const ranges = await query(
    sql`SELECT correlation_id, toUnixTimestamp64Milli(min(first_at)) AS first_ms, toUnixTimestamp64Milli(max(last_at)) AS last_ms
        FROM correlation_index WHERE correlation_id IN ${p.strs(corrs)} GROUP BY correlation_id`,
    rangeRow,
    { name: 'kpi.drift_causes.ranges' },
  );
  if (ranges.length === 0) return [];
  const from = asOf - MOVEMENT_WINDOW_MS - RECENT_MS;
  const branch = (rs: typeof ranges) =>
    rs.length === 0
      ? sql`0`
      : sql`(occurred_at >= ${p.time(Math.min(...rs.map((r) => r.first_ms)))} AND occurred_at <= ${p.time(Math.max(...rs.map((r) => r.last_ms)))}
             AND correlation_id IN ${p.strs(rs.map((r) => r.correlation_id))})`;
  return query(
    sql`SELECT warehouse_id, correlation_id, source_system, toString(m.1) AS status, m.2 AS interface,
          toUnixTimestamp64Milli(m.3) AS observed_ms, toString(m.4) AS occurred_at, m.5 AS event_id
        FROM (
          SELECT toString(warehouse_id) AS warehouse_id, correlation_id, toString(source_system) AS source_system,
            argMax(tuple(status, interface, observed_at, occurred_at, event_id), tuple(observed_at, event_id)) AS m
          FROM events
          WHERE warehouse_id IN ${p.strs(whs)} AND type = 'sync.message'
            AND (${branch(ranges.filter((r) => r.first_ms >= from))} OR ${branch(ranges.filter((r) => r.first_ms < from))})
            AND observed_at <= ${p.time(asOf)}
          GROUP BY warehouse_id, correlation_id, source_system
        )`,
    messageRow,
    { name: 'kpi.drift_causes.messages' },
  );
}

const errorRow = z.object({ event_id: z.string(), error: z.string().nullable() });

/** Step 4: the `error` of the given messages, each found by its full key (warehouse, type, occurred_at, event_id). */
async function messageErrors(msgs: readonly MessageRow[]): Promise<Map<string, string | null>> {
  if (msgs.length === 0) return new Map();
  const points = msgs.map(
    (m) => sql`(warehouse_id = ${p.str(m.warehouse_id)} AND occurred_at = toDateTime64(${p.str(m.occurred_at)}, 3, 'UTC') AND event_id = ${p.str(m.event_id)})`,
  );
  const rows = await query(
    sql`SELECT event_id, JSONExtract(attributes, 'error', 'Nullable(String)') AS error
        FROM events WHERE type = 'sync.message' AND (${join(points, ' OR ')})
        LIMIT 1 BY event_id`,
    errorRow,
    { name: 'kpi.drift_causes.errors' },
  );
  return new Map(rows.map((r) => [r.event_id, r.error]));
}

// ---- rollups ----

const joinedRow = movementRow.extend({
  /** 1: the key has a message observed after as_of, so its latest at as_of is read raw. */
  later: z.number(),
  status: z.string(),
  interface: z.string().nullable(),
  error: z.string().nullable(),
  observed_ms: z.number(),
});

/**
 * Steps 2–4 in one statement: each pair's movements are a key range of stock_movements (one row per event_id),
 * joined to their keys' sync_latest rows (point reads by correlation). Only movements whose latest message is
 * unsynced, or is later than as_of, come back; the latter (an as_of in the past) are answered by the raw
 * steps 3 and 4 for those keys alone.
 */
async function fromRollups(asOf: number, pairs: readonly Pair[]): Promise<UnsyncedMovement[]> {
  // A set of (warehouse, sku) tuples: one key range per pair (a has() over the pairs was a per-row filter).
  const inPairs: Sql = sql`(warehouse_id, sku) IN arrayZip(${p.strs(pairs.map((r) => r.warehouse_id))}, ${p.strs(pairs.map((r) => r.sku))})
    AND occurred_at > ${p.time(asOf - MOVEMENT_WINDOW_MS)} AND occurred_at <= ${p.time(asOf)}`;
  // sync_latest packs (observed ms, event_id, status, interface, error): see lib/store/drift-rollups.ts.
  const rows = await query(
    sql`SELECT event_id, toString(type) AS type, warehouse_id, sku, correlation_id, toUnixTimestamp64Milli(occurred_at) AS occurred_ms,
          source_system, toString(signed_quantity) AS signed_q, toInt64(substring(packed, 1, 15)) AS observed_ms,
          observed_ms > ${p.i64(asOf)} AS later, splitByChar('\\0', substring(packed, 16)) AS f,
          f[2] AS status, if(f[3] = '', NULL, substring(f[3], 2)) AS interface, if(f[4] = '', NULL, substring(f[4], 2)) AS error
        FROM (
          SELECT event_id, type, warehouse_id, sku, correlation_id, occurred_at, toString(source_system) AS source_system, signed_quantity
          FROM stock_movements WHERE ${inPairs}
          ORDER BY occurred_at, event_id
          LIMIT 1 BY event_id
        ) AS mv
        INNER JOIN (
          SELECT correlation_id, warehouse_id, source_system, max(latest) AS packed
          FROM sync_latest
          WHERE correlation_id IN (SELECT correlation_id FROM stock_movements WHERE ${inPairs})
          GROUP BY correlation_id, warehouse_id, source_system
        ) AS msg USING (correlation_id, warehouse_id, source_system)
        WHERE later OR status IN ${p.strs(SYNC_STATUSES_UNSYNCED)}
        ORDER BY occurred_at, event_id`,
    joinedRow,
    { name: 'kpi.drift_causes.movements' },
  );
  const stale = rows.filter((r) => r.later);
  const raw = stale.length === 0 ? new Map<string, LatestMessage>() : await latestOf(asOf, stale);
  return rows.flatMap(({ later, status, interface: iface, error, observed_ms, ...mv }) => {
    if (later) {
      const msg = raw.get(key(mv.warehouse_id, mv.correlation_id, mv.source_system));
      return msg ? [{ mv, msg }] : [];
    }
    return isUnsynced(status) ? [{ mv, msg: { status, interface: iface, error, observed_ms } }] : [];
  });
}
