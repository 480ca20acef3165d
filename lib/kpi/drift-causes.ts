import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { windowStart } from '@/lib/http/params';
import { codePointLength, textProblem } from '@/lib/events/text';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { driftPairs } from './drift';
import { MOVEMENT_WINDOW_MS, SYNC_STATUSES_UNSYNCED, unsyncedMovements } from './drift-movements';

/**
 * metrics.md §9. For each mismatched (warehouse, sku) at as_of (§4), its movements in (as_of − 7 d, as_of]
 * whose latest sync message (same correlation, warehouse and source system, observed_at ≤ as_of; latest
 * by observed_at, ties by the greater event_id) is failed or dead-lettered, and whether their units, as
 * they move WMS − ERP, add up to the drift exactly. Steps 2–4 (movements and messages): drift-movements.ts.
 */
export { MOVEMENT_WINDOW_MS, SYNC_STATUSES_UNSYNCED };

/** A SKU names what a snapshot names: 1–256 code points of well-formed text (longer cannot be asked for). */
export const skuSchema = z
  .string()
  .refine((s) => s.length > 0 && codePointLength(s) <= 256, 'sku: must be 1–256 characters')
  .refine((s) => textProblem(s) === null, 'sku: must not contain control characters or unpaired surrogates');

export const driftCausesParams = z.object({ asOf: z.number(), sku: skuSchema.nullable() });
export type DriftCausesParams = z.infer<typeof driftCausesParams>;

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
    const causes = await unsyncedMovements(asOf, pairs);

    const bySku = new Map<string, CauseMovement[]>();
    const units = new Map<string, bigint>();
    for (const { mv, msg } of causes) {
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
        message: { status: msg.status, interface: msg.interface, error: msg.error, observed_at: iso(msg.observed_ms) },
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
