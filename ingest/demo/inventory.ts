import type { Ctx, Emitter } from './emit';
import { DRIFT_WAREHOUSES, HOUR, MIN, SEC, type WarehouseProfile } from './model';
import { type Rng, cents, clamp } from './random';

interface Stock {
  readonly sku: string;
  readonly unitCost: number;
  qty: number;
}

/** ERP snapshots go out at 23:00 (+1 min per DC), the WMS one five minutes later. */
export const SNAPSHOT_HOUR = 23;
/** Latest any snapshot of a day can be stamped, relative to its UTC midnight. */
export const SNAPSHOT_LAST_OFFSET = SNAPSHOT_HOUR * HOUR + 15 * MIN;

const ctxOf = (wh: string, sku: string): Ctx => ({ wh, corr: `INV-${wh}-${sku}`, workflow: 'inventory' });

/**
 * On-hand stock per DC and SKU. State is a few hundred numbers whatever the scale, so the month can
 * still stream. The ERP count drifts through adjustments; the WMS count matches it except for the
 * occasional miscount, and on the final day only at DRIFT_WAREHOUSES.
 */
export class InventoryBook {
  private readonly stock = new Map<string, Stock[]>();

  constructor(
    rng: Rng,
    private readonly warehouses: readonly WarehouseProfile[],
  ) {
    for (const wh of warehouses) {
      const list: Stock[] = [];
      for (let i = 0; i < wh.skus; i++) {
        list.push({ sku: `SKU-${1001 + i}`, unitCost: cents(clamp(rng.logNormal(22, 0.9), 1.5, 480)), qty: rng.int(40, 2400) });
      }
      this.stock.set(wh.id, list);
    }
  }

  private list(wh: string): Stock[] {
    return this.stock.get(wh) ?? [];
  }

  /** A handful of ERP adjustments pushed down to the WMS during the day. */
  adjustments(em: Emitter, wh: WarehouseProfile, at: number): void {
    const rng = em.rng;
    const s = rng.pick(this.list(wh.id));
    const delta = (rng.chance(0.6) ? -1 : 1) * rng.int(1, Math.max(2, Math.round(s.qty * 0.05)));
    s.qty = Math.max(0, s.qty + delta);
    const ctx = ctxOf(wh.id, s.sku);
    const reason = rng.pick(['cycle_count', 'damage', 'found_stock', 'write_off']);
    if (!em.emit('inventory.adjusted', ctx, at, 'ERP', { sku: s.sku, quantity: delta, uom: 'EA', reason })) return;
    em.hop(ctx, at, 'ERP', 'WMS', 'inventory_adjustment_api');
  }

  /** The nightly ERP and WMS counts of every SKU at every DC. */
  snapshots(em: Emitter, day: number, latest: boolean): void {
    const rng = em.rng;
    this.warehouses.forEach((wh, whIdx) => {
      const list = this.list(wh.id);
      const forcedDrift = latest && DRIFT_WAREHOUSES.includes(wh.id) ? rng.int(3, 7) : 0;
      const erpAt = day + SNAPSHOT_HOUR * HOUR + whIdx * MIN;
      list.forEach((s, i) => {
        // Daily sales and replenishment move the book between counts.
        s.qty = Math.max(0, Math.round(s.qty * rng.range(0.9, 1.08)) + (s.qty < 60 ? rng.int(200, 900) : 0));
        const drifts = i < forcedDrift || (!latest && rng.chance(0.015));
        let drift = drifts ? (rng.chance(0.65) ? -1 : 1) * rng.int(1, Math.max(3, Math.round(s.qty * 0.08))) : 0;
        if (s.qty + drift < 0) drift = -drift; // a miscount cannot go below zero, and must still differ
        const ctx = ctxOf(wh.id, s.sku);
        em.emit('inventory.snapshot', ctx, erpAt, 'ERP', { sku: s.sku, quantity: s.qty, uom: 'EA', unit_cost: s.unitCost });
        const wmsAt = erpAt + 5 * MIN + i * SEC;
        em.emit('inventory.snapshot', ctx, wmsAt, 'WMS', { sku: s.sku, quantity: s.qty + drift, uom: 'EA' });
        if (drift !== 0 && (latest || rng.chance(0.5))) {
          em.exception(ctx, wmsAt + rng.range(MIN, 8 * MIN), 'MIDDLEWARE', 'inventory_mismatch', `${s.sku} at ${wh.id}: WMS ${s.qty + drift} vs ERP ${s.qty}`);
        }
      });
    });
  }
}
