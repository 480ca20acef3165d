import type { Attributes, EventType, SyncStatus, Workflow } from '@/lib/events/constants';
import type { Ctx, Emitter, InterfaceName } from './emit';
import { DAY, HOUR, MIN } from './model';

/**
 * Three scripted drifts for metrics.md §9, on SKUs of their own so the random month cannot blur them, all
 * visible at the demo's "now" (the last nightly count, movements within the 7 days before it):
 * - DC-DAL SKU-7001: +68, two WMS receipts whose WMS → ERP message was dead-lettered: explained in full
 *   (68 × $91.18 = $6,200.24 of explained drift value);
 * - DC-MIA SKU-7002: −40, an outbound transfer of 25 whose message failed (−25): partly explained; a return
 *   whose failed message a later retry delivered does not count;
 * - DC-ATL SKU-7003: −12, its one movement synced: no unsynced movement.
 * Deterministic (no dice), so adding it leaves the rest of the month as it was.
 */

interface Movement {
  readonly type: EventType;
  readonly corr: string;
  readonly workflow: Workflow;
  readonly daysBack: number;
  readonly quantity: number;
  readonly iface: InterfaceName;
  /** The WMS → ERP message's attempts, oldest first, each with its error (none once delivered). */
  readonly attempts: readonly (readonly [SyncStatus, string | null])[];
}

interface Case {
  readonly wh: string;
  readonly sku: string;
  readonly unitCost: number;
  readonly erp: number;
  readonly wms: number;
  readonly movements: readonly Movement[];
}

const DEAD = 'max retries exceeded: HTTP 422 from ERP: unknown item master SKU-7001';

export const DRIFT_CASES: readonly Case[] = [
  {
    wh: 'DC-DAL', sku: 'SKU-7001', unitCost: 91.18, erp: 1180, wms: 1248,
    movements: [
      { type: 'receipt.posted', corr: 'PO-DRIFT-7001-A', workflow: 'procure_to_pay', daysBack: 3, quantity: 40, iface: 'receipt_api',
        attempts: [['failed', 'HTTP 422 from ERP: unknown item master SKU-7001'], ['dead_lettered', DEAD]] },
      { type: 'receipt.posted', corr: 'PO-DRIFT-7001-B', workflow: 'procure_to_pay', daysBack: 1, quantity: 28, iface: 'receipt_api',
        attempts: [['dead_lettered', DEAD]] },
    ],
  },
  {
    wh: 'DC-MIA', sku: 'SKU-7002', unitCost: 14.5, erp: 420, wms: 380,
    movements: [
      { type: 'transfer.shipped', corr: 'TR-DRIFT-7002', workflow: 'shipping', daysBack: 2, quantity: 25, iface: 'transfer_api',
        attempts: [['failed', 'schema validation failed: destination.location_code']] },
      { type: 'return.received', corr: 'RMA-DRIFT-7002', workflow: 'return_to_credit', daysBack: 2, quantity: 6, iface: 'returns_api',
        attempts: [['failed', 'HTTP 504 gateway timeout'], ['delivered', null]] },
    ],
  },
  {
    wh: 'DC-ATL', sku: 'SKU-7003', unitCost: 38, erp: 96, wms: 84,
    movements: [
      { type: 'receipt.posted', corr: 'PO-DRIFT-7003', workflow: 'procure_to_pay', daysBack: 2, quantity: 12, iface: 'receipt_api', attempts: [['delivered', null]] },
    ],
  },
];

/**
 * Emits the cases around the final nightly count of `lastSnapDay` (stamped a few minutes after the
 * regular ones); nothing when the month is too short to hold their movements.
 */
export function driftCases(em: Emitter, lastSnapDay: number, startMs: number): void {
  if (lastSnapDay - 3 * DAY < startMs) return;
  const countAt = lastSnapDay + 23 * HOUR + 10 * MIN;
  for (const c of DRIFT_CASES) {
    c.movements.forEach((m, i) => {
      const at = lastSnapDay - m.daysBack * DAY + 15 * HOUR + i * 7 * MIN;
      const ctx: Ctx = { wh: c.wh, corr: m.corr, workflow: m.workflow, doc: m.corr };
      if (!em.emit(m.type, ctx, at, 'WMS', { sku: c.sku, quantity: m.quantity, uom: 'EA' })) return;
      m.attempts.forEach(([status, error], k) => {
        const attrs: Attributes = { status, attempt: k + 1, interface: m.iface, payload_bytes: 1400 };
        if (error !== null) attrs.error = error;
        em.emit('sync.message', ctx, at, 'WMS', attrs, { target: 'ERP', observedAt: at + (k + 1) * 4 * MIN });
      });
    });
    const inv: Ctx = { wh: c.wh, corr: `INV-${c.wh}-${c.sku}`, workflow: 'inventory' };
    em.emit('inventory.snapshot', inv, countAt, 'ERP', { sku: c.sku, quantity: c.erp, uom: 'EA', unit_cost: c.unitCost });
    em.emit('inventory.snapshot', inv, countAt + MIN, 'WMS', { sku: c.sku, quantity: c.wms, uom: 'EA' });
  }
}
