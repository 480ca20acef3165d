import type { CloseResponse, DriftCausesResponse, DriftSku, ExceptionItem, UnpostedItem } from '@/components/data/types';
import { causeText, explainedSummary } from '@/components/drift/causes';
import { buildCsv, type CsvColumn, type CsvValue } from '@/lib/format/csv';
import { formatMoney } from '@/lib/format/number';
import { periodBounds } from '@/lib/format/time';

type CloseRow = CloseResponse['total'];

export const FINANCE_WORKFLOWS = new Set(['order_to_cash', 'procure_to_pay', 'return_to_credit']);

/** Unposted shipments that count for this period (metrics.md §5: S in the period). */
export function inPeriod(items: readonly UnpostedItem[], period: string): UnpostedItem[] {
  const { start, end } = periodBounds(period);
  return items.filter((i) => {
    const t = Date.parse(i.shipped_at);
    return t >= start && t < end;
  });
}

/** Open finance exceptions behind close readiness: finance workflows, opened before the period ended. */
export function financeExceptions(items: readonly ExceptionItem[], period: string): ExceptionItem[] {
  const { end } = periodBounds(period);
  return items.filter((i) => FINANCE_WORKFLOWS.has(i.workflow) && i.status !== 'resolved' && Date.parse(i.opened_at) < end);
}

/** The API's reasons when it sends them; otherwise the same facts read off the row. */
export function reasonsOf(r: CloseRow): string[] {
  if (r.reasons && r.reasons.length) return r.reasons;
  const out: string[] = [];
  const ex = r.open_finance_exceptions;
  const open = ex.critical + ex.high + ex.medium + ex.low;
  if (ex.critical > 0) out.push(`${ex.critical} critical finance exception${ex.critical === 1 ? '' : 's'} open`);
  if (open - ex.critical > 0) out.push(`${open - ex.critical} other finance exception${open - ex.critical === 1 ? '' : 's'} open`);
  if (r.unposted_count > 0) out.push(`${r.unposted_count} shipment${r.unposted_count === 1 ? '' : 's'} not invoiced (${formatMoney(r.unposted_amount)})`);
  if (r.drift_value > 0) out.push(`inventory drift ${formatMoney(r.drift_value)}`);
  return out;
}

interface EvidenceRow {
  record: 'warehouse_status' | 'unposted_shipment' | 'unsynced_movement';
  warehouse_id: string;
  status?: string;
  reasons?: string;
  unposted_count?: number;
  unposted_amount?: number;
  open_finance_critical?: number;
  open_finance_high?: number;
  open_finance_medium?: number;
  open_finance_low?: number;
  drift_value?: number;
  correlation_id?: string;
  document_ref?: string | null;
  shipped_at?: string;
  age_seconds?: number;
  amount?: number | null;
  currency?: string | null;
  drift_explained_value?: number;
  drift_failed_syncs?: number;
  sku?: string;
  drift_cause?: string;
  movement_type?: string;
  occurred_at?: string;
  signed_quantity?: number;
  source_system?: string;
  sync_status?: string;
  interface?: string | null;
  error?: string | null;
}

const KEYS: (keyof EvidenceRow)[] = [
  'record',
  'warehouse_id',
  'status',
  'reasons',
  'unposted_count',
  'unposted_amount',
  'open_finance_critical',
  'open_finance_high',
  'open_finance_medium',
  'open_finance_low',
  'drift_value',
  'correlation_id',
  'document_ref',
  'shipped_at',
  'age_seconds',
  'amount',
  'currency',
  'drift_explained_value',
  'drift_failed_syncs',
  'sku',
  'drift_cause',
  'movement_type',
  'occurred_at',
  'signed_quantity',
  'source_system',
  'sync_status',
  'interface',
  'error',
];

/** Drift causes at the close's as_of and the SKU list that prices them (components/drift/causes.ts). */
export interface DriftEvidence {
  causes: DriftCausesResponse;
  skus: readonly DriftSku[];
}

/**
 * One rectangular CSV holding the status table, the unposted shipments and (with `drift`) the unsynced
 * stock movements behind it, every row stamped with period and as_of, so the file stands on its own as
 * audit evidence. With `drift`, each warehouse also says how much of its drift value failed syncs explain.
 */
export function evidenceCsv(close: CloseResponse, unposted: readonly UnpostedItem[], drift?: DriftEvidence): string {
  const rows: EvidenceRow[] = close.warehouses.map((w) => ({
    record: 'warehouse_status',
    warehouse_id: w.warehouse_id,
    status: w.status,
    reasons: reasonsOf(w).join('; '),
    unposted_count: w.unposted_count,
    unposted_amount: w.unposted_amount,
    open_finance_critical: w.open_finance_exceptions.critical,
    open_finance_high: w.open_finance_exceptions.high,
    open_finance_medium: w.open_finance_exceptions.medium,
    open_finance_low: w.open_finance_exceptions.low,
    drift_value: w.drift_value,
    ...(drift ? explainedColumns(drift, w.warehouse_id) : {}),
  }));
  const listed = new Set(close.warehouses.map((w) => w.warehouse_id));
  for (const u of inPeriod(unposted, close.period).filter((i) => listed.has(i.warehouse_id))) {
    rows.push({
      record: 'unposted_shipment',
      warehouse_id: u.warehouse_id,
      correlation_id: u.correlation_id,
      document_ref: u.document_ref,
      shipped_at: u.shipped_at,
      age_seconds: u.age_seconds,
      amount: u.amount,
      currency: u.currency ?? 'USD',
    });
  }
  for (const c of drift?.causes.skus ?? []) {
    if (!listed.has(c.warehouse_id)) continue;
    for (const m of c.movements) {
      rows.push({
        record: 'unsynced_movement',
        warehouse_id: c.warehouse_id,
        sku: c.sku,
        drift_cause: causeText(c),
        correlation_id: m.correlation_id,
        movement_type: m.type,
        occurred_at: m.occurred_at,
        signed_quantity: m.signed_quantity,
        source_system: m.source_system,
        sync_status: m.message.status,
        interface: m.message.interface,
        error: m.message.error,
      });
    }
  }
  const cols: CsvColumn<EvidenceRow>[] = [
    { header: 'period', value: () => close.period },
    { header: 'as_of', value: () => close.as_of },
    ...KEYS.map((k) => ({ header: k, value: (r: EvidenceRow): CsvValue => r[k] })),
  ];
  return buildCsv(cols, rows);
}

function explainedColumns(drift: DriftEvidence, warehouse: string): Pick<EvidenceRow, 'drift_explained_value' | 'drift_failed_syncs'> {
  const s = explainedSummary(drift.causes, drift.skus, warehouse);
  return { drift_explained_value: s.value, drift_failed_syncs: s.syncs };
}
