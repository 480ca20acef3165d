/**
 * Deterministic demo month for the control tower: eight DCs of order-to-cash traffic with its
 * integration hops, some procure-to-pay, returns and transfers, an exception backlog, nightly stock
 * counts, one scripted warehouse outage and one failing interface in the last day. Events stream out
 * a transaction at a time (not in time order), so memory stays flat at any scale; the same options
 * always give the same events and ids.
 */
import { driftCases } from './drift-cases';
import { Emitter, type DemoEvent, type Incident, type Outage } from './emit';
import { flowCases } from './flow-cases';
import { orderToCash, procureToPay, returnToCredit, transfer } from './flows';
import { InventoryBook, SNAPSHOT_HOUR, SNAPSHOT_LAST_OFFSET } from './inventory';
import {
  CREDIT_HOLD_WAREHOUSE,
  DAY,
  HOSTILE_IDS,
  HOUR,
  HOUR_WEIGHTS,
  INCIDENT,
  ORDERS_PER_DAY,
  OUTAGE_HOURS,
  OUTAGE_WAREHOUSE,
  PROFILES,
  type WarehouseProfile,
  dayStart,
} from './model';
import { Rng } from './random';

export interface DemoOptions {
  seed?: number;
  endMs: number;
  /** Length of the month, default 30. */
  days?: number;
  /** Transaction volume multiplier, default 1 (~80k events); stock counts do not scale. */
  scale?: number;
}

export type { DemoEvent, Incident as DemoIncident, Outage as DemoOutage };

export const DEMO_WAREHOUSES: readonly string[] = PROFILES.map((p) => p.id);
export const DEFAULT_DEMO_SEED = 20261014;

const HOUR_TOTAL = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);

function resolved(opts: DemoOptions) {
  const days = opts.days ?? 30;
  const scale = opts.scale ?? 1;
  if (!Number.isFinite(opts.endMs) || opts.endMs < Date.UTC(2000, 0, 1) + days * DAY) throw new RangeError('generateDemo: endMs out of range');
  if (!(days > 0) || !(scale > 0)) throw new RangeError('generateDemo: days and scale must be positive');
  return { seed: opts.seed ?? DEFAULT_DEMO_SEED, endMs: opts.endMs, days, scale, startMs: opts.endMs - days * DAY };
}

/** The scripted outage: ~6 h at DC-DAL on the afternoon (UTC) five days before endMs, if inside the month. */
export function demoOutage(opts: DemoOptions): Outage | null {
  const { startMs, endMs } = resolved(opts);
  const start = dayStart(endMs - 5 * DAY) + 14 * HOUR;
  if (start < startMs || start + OUTAGE_HOURS * HOUR > endMs) return null;
  return { warehouse: OUTAGE_WAREHOUSE, startMs: start, endMs: start + OUTAGE_HOURS * HOUR };
}

/** The scripted interface incident: DC-DAL's shipment confirmations to the ERP, 20 h to 1 h before endMs. */
export function demoIncident(opts: DemoOptions): Incident | null {
  const { startMs, endMs } = resolved(opts);
  const start = endMs - INCIDENT.fromAgo;
  if (start < startMs) return null;
  return { warehouse: INCIDENT.warehouse, iface: INCIDENT.iface, startMs: start, endMs: endMs - INCIDENT.toAgo };
}

/** A business-hours-shaped time within the UTC day starting at `day`. */
function timeOfDay(rng: Rng, day: number): number {
  let u = rng.next() * HOUR_TOTAL;
  let hour = 0;
  for (; hour < 23; hour++) {
    u -= HOUR_WEIGHTS[hour] ?? 0;
    if (u < 0) break;
  }
  return day + hour * HOUR + Math.floor(rng.next() * HOUR);
}

export function* generateDemo(opts: DemoOptions): Generator<DemoEvent> {
  const { seed, endMs, startMs, days, scale } = resolved(opts);
  const rng = new Rng(seed);
  const em = new Emitter(rng, endMs, demoOutage(opts), demoIncident(opts));
  const inventory = new InventoryBook(rng, PROFILES);
  // The last day whose nightly counts are all in: its ERP/WMS pairs are the "current" drift.
  const lastSnapDay = dayStart(endMs - SNAPSHOT_LAST_OFFSET);
  const hostileFrom = startMs + Math.min(3, days / 2) * DAY;
  const holdFrom = endMs - Math.min(9, days * 0.6) * DAY;
  let hostileUsed = 0;
  let holdPending = true;
  let orderNo = 100_000;
  let poNo = 700_000;
  let rmaNo = 30_000;
  let trNo = 5_000;

  const inWindow = (t: number) => t >= startMs && t <= endMs;
  const other = (wh: WarehouseProfile) => {
    const rest = PROFILES.filter((p) => p.id !== wh.id);
    return rng.pick(rest);
  };

  for (let day = dayStart(startMs); day <= endMs; day += DAY) {
    const dow = new Date(day).getUTCDay();
    const weekday = dow !== 0 && dow !== 6;
    for (const wh of PROFILES) {
      const mean = (base: number) => base * scale * wh.weight * (weekday ? 1.15 : 0.35);

      for (let i = rng.count(mean(ORDERS_PER_DAY)); i > 0; i--) {
        const createdAt = timeOfDay(rng, day);
        const n = orderNo++;
        if (!inWindow(createdAt)) continue;
        let corr = `SO-${n}`;
        const hostile = createdAt >= hostileFrom ? HOSTILE_IDS[hostileUsed] : undefined;
        if (hostile) {
          corr = hostile(n);
          hostileUsed++;
        }
        const criticalHold = holdPending && wh.id === CREDIT_HOLD_WAREHOUSE && createdAt >= holdFrom;
        if (criticalHold) holdPending = false;
        orderToCash(em, { n, corr, wh, createdAt, skus: wh.skus, criticalHold });
        yield* em.drain();
      }
      for (let i = rng.count(mean(1.6)); i > 0; i--) {
        const at = timeOfDay(rng, day);
        const n = poNo++;
        if (inWindow(at)) procureToPay(em, n, wh, at, wh.skus);
        yield* em.drain();
      }
      for (let i = rng.count(mean(0.9)); i > 0; i--) {
        const at = timeOfDay(rng, day);
        const n = rmaNo++;
        if (inWindow(at)) returnToCredit(em, n, wh, at, wh.skus);
        yield* em.drain();
      }
      for (let i = rng.count(mean(0.3)); i > 0; i--) {
        const at = timeOfDay(rng, day);
        const n = trNo++;
        const to = other(wh);
        if (inWindow(at)) transfer(em, n, wh, to, at, Math.min(wh.skus, to.skus));
        yield* em.drain();
      }
      for (let i = rng.count(mean(3)); i > 0; i--) {
        const at = timeOfDay(rng, day);
        if (inWindow(at)) inventory.adjustments(em, wh, at);
        yield* em.drain();
      }
    }
    if (day + SNAPSHOT_HOUR * HOUR >= startMs && day <= lastSnapDay) {
      inventory.snapshots(em, day, day === lastSnapDay);
      yield* em.drain();
    }
  }
  driftCases(em, lastSnapDay, startMs);
  yield* em.drain();
  yield* flowCases(startMs, endMs);
}
