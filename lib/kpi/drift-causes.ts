import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { windowStart } from '@/lib/http/params';
import { codePointLength, textProblem } from '@/lib/events/text';
import type { QueryScope } from '@/lib/scope';
import { join, p, query, sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
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

const key = (wh: string, sku: string) => `${wh}\u0000${sku}`;

/** Exact Decimal(38, 6) text ("−12.5", "40") as integer millionths, so sums and equality stay exact. */
export function micros(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) throw new AppError('internal', 'drift causes: the store returned an unreadable quantity');
  const v = BigInt(m[2]!) * 1_000_000n + BigInt((m[3] ?? '').padEnd(6, '0'));
  return m[1] === '-' ? -v : v;
}

const mismatchedRow = z.object({ warehouse_id: z.string(), sku: z.string(), drift_text: z.string() });

/** Step 1: mismatched pairs at as_of (optionally one SKU), worst first exactly as the drift list. */
async function mismatched(scope: QueryScope, asOf: number, sku: string | null) {
  const one = sku === null ? sql`1` : sql`sku = ${p.str(sku)}`;
  return query(
    sql`SELECT warehouse_id, sku, toString(drift) AS drift_text FROM (${driftPairs(scope, asOf)})
        WHERE drift != 0 AND ${one}
        ORDER BY value DESC, warehouse_id ASC, sku ASC`,
    mismatchedRow,
    { name: 'kpi.drift_causes.skus' },
  );
}

const movementRow = z.object({
  event_id: z.string(),
  type: z.string(),
  warehouse_id: z.string(),
  sku: z.string(),
  correlation_id: z.string(),
  occurred_ms: z.number(),
  source_system: z.string(),
  signed_q: z.string(),
});

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

const UNSYNCED: ReadonlySet<string> = new Set(SYNC_STATUSES_UNSYNCED);
const isUnsynced = (s: string): s is (typeof SYNC_STATUSES_UNSYNCED)[number] => UNSYNCED.has(s);
const iso = (ms: number) => new Date(ms).toISOString();
const toNumber = (v: bigint) => Number(v) / 1e6 + 0;

export async function driftCauses(scope: QueryScope, params: DriftCausesParams): Promise<DriftCausesResponse> {
  const parsed = driftCausesParams.safeParse(params);
  if (!parsed.success) throw new AppError('bad_request', parsed.error.issues[0]?.message ?? 'sku: invalid');
  const { asOf, sku } = parsed.data;
  windowStart('as_of', asOf, MOVEMENT_WINDOW_MS, 'the 7-day movement window');
  return withSpan('kpi.drift_causes', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    // Only step 1 reads the scope: every later step is keyed by the warehouses its answer names.
    const pairs = await mismatched(scope, asOf, sku);
    const wanted = new Set(pairs.map((r) => key(r.warehouse_id, r.sku)));
    const moves = pairs.length === 0 ? [] : (await movements(asOf, uniq(pairs.map((r) => r.warehouse_id)), uniq(pairs.map((r) => r.sku)))).filter((m) => wanted.has(key(m.warehouse_id, m.sku)));
    const messages = moves.length === 0 ? [] : await latestMessages(asOf, uniq(moves.map((m) => m.warehouse_id)), uniq(moves.map((m) => m.correlation_id)));
    const latest = new Map(messages.map((m) => [`${key(m.warehouse_id, m.correlation_id)}\u0000${m.source_system}`, m]));
    const errors = await messageErrors(messages.filter((m) => isUnsynced(m.status)));

    const bySku = new Map<string, CauseMovement[]>();
    const units = new Map<string, bigint>();
    for (const mv of moves) {
      const msg = latest.get(`${key(mv.warehouse_id, mv.correlation_id)}\u0000${mv.source_system}`);
      if (!msg || !isUnsynced(msg.status)) continue;
      const k = key(mv.warehouse_id, mv.sku);
      const q = micros(mv.signed_q);
      // Counted as they move WMS − ERP: what the WMS did and the ERP never heard of raises the drift.
      const contribution = mv.source_system === 'WMS' ? q : mv.source_system === 'ERP' ? -q : 0n;
      units.set(k, (units.get(k) ?? 0n) + contribution);
      const list = bySku.get(k) ?? [];
      list.push({
        event_id: mv.event_id,
        type: mv.type,
        correlation_id: mv.correlation_id,
        occurred_at: iso(mv.occurred_ms),
        signed_quantity: toNumber(q),
        source_system: mv.source_system,
        message: { status: msg.status, interface: msg.interface, error: errors.get(msg.event_id) ?? null, observed_at: iso(msg.observed_ms) },
      });
      bySku.set(k, list);
    }
    return {
      as_of: iso(asOf),
      skus: pairs.map((r) => {
        const k = key(r.warehouse_id, r.sku);
        const list = bySku.get(k) ?? [];
        const u = units.get(k) ?? 0n;
        const drift = micros(r.drift_text);
        return {
          warehouse_id: r.warehouse_id,
          sku: r.sku,
          drift_units: toNumber(drift),
          unsynced_movements: list.length,
          unsynced_units: toNumber(u),
          explained: u === drift,
          movements: list,
        };
      }),
    };
  });
}

const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];
