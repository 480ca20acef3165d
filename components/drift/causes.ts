import type { DriftCauseMovement, DriftCauseSku, DriftCausesResponse, DriftSku } from '@/components/data/types';
import { formatMoney, formatNumber, formatNumberChange } from '@/lib/format/number';

/**
 * Words and sums for metrics.md §9 drift causes, shared by the Drift page, the per-warehouse page and the
 * close evidence. The API says which movements are unsynced; the money is priced here with the SKU's unit
 * cost from the drift list (GET /api/v1/kpi/drift/skus), the same cost the drift value uses.
 */

const NOUNS: Record<string, [string, string]> = {
  'receipt.posted': ['receipt', 'receipts'],
  'return.received': ['return', 'returns'],
  'transfer.received': ['inbound transfer', 'inbound transfers'],
  'transfer.shipped': ['outbound transfer', 'outbound transfers'],
  'shipment.confirmed': ['shipment', 'shipments'],
  'inventory.adjusted': ['adjustment', 'adjustments'],
};

/** The system a stock movement had to reach: the other side of the ERP/WMS comparison. */
const counterpart = (source: string): string | null => (source === 'WMS' ? 'ERP' : source === 'ERP' ? 'WMS' : null);

/** "2 receipts whose WMS → ERP message was dead-lettered", one phrase per (type, source, status). */
export function movementPhrases(movements: readonly DriftCauseMovement[]): string[] {
  const groups = new Map<string, { m: DriftCauseMovement; n: number }>();
  for (const m of movements) {
    const key = `${m.type}\u0000${m.source_system}\u0000${m.message.status}`;
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { m, n: 1 });
  }
  return [...groups.values()].map(({ m, n }) => {
    const [one, many] = NOUNS[m.type] ?? [m.type, `${m.type} movements`];
    const to = counterpart(m.source_system);
    const route = to ? `${m.source_system} → ${to}` : m.source_system;
    const what = m.message.status === 'dead_lettered' ? 'was dead-lettered' : 'failed';
    return `${formatNumber(n)} ${n === 1 ? one : many} whose ${route} message ${what}`;
  });
}

/**
 * The part of a SKU's drift its unsynced movements account for, in units: their WMS − ERP units up to the
 * drift when both point the same way, else 0. Equal to |drift| exactly when the API says `explained`.
 */
export function explainedUnits(c: Pick<DriftCauseSku, 'drift_units' | 'unsynced_units' | 'explained'>): number {
  if (c.explained) return Math.abs(c.drift_units);
  if (Math.sign(c.unsynced_units) !== Math.sign(c.drift_units)) return 0;
  return Math.min(Math.abs(c.unsynced_units), Math.abs(c.drift_units));
}

/** "+68 units: 2 receipts whose WMS → ERP message was dead-lettered, explained in full". */
export function causeText(c: DriftCauseSku): string {
  const drift = `${formatNumberChange(c.drift_units)} units`;
  if (c.unsynced_movements === 0) return `${drift}: no unsynced movement`;
  const list = movementPhrases(c.movements).join(' and ');
  if (c.explained) return `${drift}: ${list}, explained in full`;
  const part = explainedUnits(c);
  if (part > 0) return `${drift}: ${list} (${formatNumberChange(c.unsynced_units)} units), partly explained`;
  return `${drift}: ${list} (${formatNumberChange(c.unsynced_units)} units), which do not explain it`;
}

export const causeKey = (warehouse: string, sku: string): string => `${warehouse}\u0000${sku}`;

export function causesByKey(causes: DriftCausesResponse | undefined): Map<string, DriftCauseSku> {
  return new Map((causes?.skus ?? []).map((c) => [causeKey(c.warehouse_id, c.sku), c]));
}

export interface ExplainedSummary {
  /** Σ over SKUs of explained units × the SKU's unit cost (0 without one), in cents. */
  value: number;
  /** Unsynced WMS/ERP movements behind that value (the "failed syncs"). */
  syncs: number;
}

/**
 * The money finance reads beside the drift value: per SKU, explainedUnits × its unit cost, summed. It is
 * never more than the drift value, since each SKU contributes at most |drift| × cost.
 */
export function explainedSummary(causes: DriftCausesResponse | undefined, skus: readonly DriftSku[] | undefined, warehouse?: string): ExplainedSummary {
  const cost = new Map((skus ?? []).map((s) => [causeKey(s.warehouse_id, s.sku), s.unit_cost ?? 0]));
  let cents = 0;
  let syncs = 0;
  for (const c of causes?.skus ?? []) {
    if (warehouse !== undefined && c.warehouse_id !== warehouse) continue;
    const units = explainedUnits(c);
    if (units === 0) continue;
    cents += Math.round(units * (cost.get(causeKey(c.warehouse_id, c.sku)) ?? 0) * 100);
    syncs += c.movements.filter((m) => counterpart(m.source_system) !== null).length;
  }
  return { value: cents / 100, syncs };
}

/** "of which $6,200 is explained by 3 failed syncs" (empty when there is no drift to explain). */
export function explainedClause(driftValue: number, s: ExplainedSummary): string {
  if (driftValue === 0) return '';
  if (s.syncs === 0 || s.value === 0) return 'none of it explained by a failed sync';
  return `of which ${formatMoney(s.value)} is explained by ${formatNumber(s.syncs)} failed sync${s.syncs === 1 ? '' : 's'}`;
}

/** "drift $6,469, of which $6,200 is explained by 3 failed syncs". */
export function driftSentence(driftValue: number, s: ExplainedSummary | null): string {
  const clause = s ? explainedClause(driftValue, s) : '';
  return `drift ${formatMoney(driftValue)}${clause ? `, ${clause}` : ''}`;
}
