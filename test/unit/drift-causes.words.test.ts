import { describe, expect, it } from 'vitest';
import { evidenceCsv } from '@/components/close/evidence';
import { causeText, driftSentence, explainedSummary, explainedUnits } from '@/components/drift/causes';
import type { CloseResponse, DriftCauseMovement, DriftCauseSku, DriftCausesResponse, DriftSku } from '@/components/data/types';

const mv = (event_id: string, type: string, source_system: string, signed_quantity: number, status: 'failed' | 'dead_lettered'): DriftCauseMovement => ({
  event_id, type, correlation_id: `C-${event_id}`, occurred_at: '2026-10-30T10:00:00.000Z', signed_quantity, source_system,
  message: { status, interface: 'receipt_api', error: status === 'failed' ? 'HTTP 500' : null, observed_at: '2026-10-30T10:05:00.000Z' },
});
const sku = (over: Partial<DriftCauseSku>): DriftCauseSku => ({
  warehouse_id: 'DC-DAL', sku: 'S', drift_units: 0, unsynced_movements: 0, unsynced_units: 0, explained: false, movements: [], ...over,
});
const item = (warehouse_id: string, s: string, drift: number, unit_cost: number | null): DriftSku => ({
  warehouse_id, sku: s, erp_quantity: 100, wms_quantity: 100 + drift, drift, unit_cost, drift_value: Math.abs(drift) * (unit_cost ?? 0),
  erp_at: '2026-10-30T23:00:00.000Z', wms_at: '2026-10-30T23:05:00.000Z',
});

const full = sku({
  sku: 'FULL', drift_units: 68, unsynced_movements: 2, unsynced_units: 68, explained: true,
  movements: [mv('a', 'receipt.posted', 'WMS', 40, 'dead_lettered'), mv('b', 'receipt.posted', 'WMS', 28, 'dead_lettered')],
});
const part = sku({
  warehouse_id: 'DC-MIA', sku: 'PART', drift_units: -40, unsynced_movements: 2, unsynced_units: -31,
  movements: [mv('c', 'transfer.shipped', 'WMS', -25, 'failed'), mv('d', 'inventory.adjusted', 'ERP', 6, 'dead_lettered')],
});
const none = sku({ warehouse_id: 'DC-ATL', sku: 'NONE', drift_units: -12 });
const against = sku({ sku: 'AGAINST', drift_units: 5, unsynced_movements: 1, unsynced_units: -3, movements: [mv('e', 'shipment.confirmed', 'WMS', -3, 'failed')] });

describe('drift cause words (components/drift/causes.ts)', () => {
  it('says what the unsynced movements explain', () => {
    expect(causeText(full)).toBe('+68 units: 2 receipts whose WMS → ERP message was dead-lettered, explained in full');
    expect(causeText(part)).toBe(
      '−40 units: 1 outbound transfer whose WMS → ERP message failed and 1 adjustment whose ERP → WMS message was dead-lettered (−31 units), partly explained',
    );
    expect(causeText(none)).toBe('−12 units: no unsynced movement');
    expect(causeText(against)).toBe('+5 units: 1 shipment whose WMS → ERP message failed (−3 units), which do not explain it');
  });

  it('explained units: all of the drift when explained, the overlap when the signs agree, else none', () => {
    expect([full, part, none, against].map(explainedUnits)).toEqual([68, 31, 0, 0]);
    expect(explainedUnits(sku({ drift_units: 10, unsynced_units: 25 }))).toBe(10);
  });

  it('explained value: Σ explained units × unit cost, and the failed WMS/ERP syncs behind it', () => {
    const causes: DriftCausesResponse = { as_of: '2026-10-31T00:00:00.000Z', skus: [full, part, none, against] };
    const skus = [item('DC-DAL', 'FULL', 68, 91.18), item('DC-MIA', 'PART', -40, 14.5), item('DC-ATL', 'NONE', -12, 38), item('DC-DAL', 'AGAINST', 5, 2)];
    // 68 × 91.18 = 6,200.24; 31 × 14.5 = 449.50.
    expect(explainedSummary(causes, skus)).toEqual({ value: 6649.74, syncs: 4 });
    expect(explainedSummary(causes, skus, 'DC-DAL')).toEqual({ value: 6200.24, syncs: 2 });
    expect(explainedSummary(causes, skus, 'DC-ATL')).toEqual({ value: 0, syncs: 0 });
    expect(driftSentence(6469, { value: 6200, syncs: 3 })).toBe('drift $6,469.00, of which $6,200.00 is explained by 3 failed syncs');
    expect(driftSentence(456, { value: 0, syncs: 0 })).toBe('drift $456.00, none of it explained by a failed sync');
    expect(driftSentence(0, { value: 0, syncs: 0 })).toBe('drift $0.00');
  });

  it('the close evidence CSV carries the explained value per warehouse and one row per unsynced movement', () => {
    const zero = { critical: 0, high: 0, medium: 0, low: 0 };
    const row = (warehouse_id: string, drift_value: number) => ({
      warehouse_id, status: 'at_risk' as const, unposted_count: 0, unposted_amount: 0, open_finance_exceptions: zero, drift_value, reasons: [`inventory drift $${drift_value}`],
    });
    const close = {
      period: '2026-10', as_of: '2026-10-31T00:00:00.000Z',
      total: { ...row('', 6700), warehouse_id: undefined },
      warehouses: [row('DC-DAL', 6210.24), row('DC-MIA', 580)],
    } as unknown as CloseResponse;
    const causes: DriftCausesResponse = { as_of: close.as_of, skus: [full, part] };
    const csv = evidenceCsv(close, [], { causes, skus: [item('DC-DAL', 'FULL', 68, 91.18), item('DC-MIA', 'PART', -40, 14.5)] });
    const lines = csv.trim().split(/\r?\n/);
    // RFC 4180 fields: quoted ones may hold commas and doubled quotes.
    const split = (l: string) => [...l.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].slice(0, -1).map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"'));
    const header = split(lines[0]!);
    const cells = (l: string) => Object.fromEntries(split(l).map((v, i) => [header[i], v]));
    const dal = cells(lines.find((l) => l.includes('warehouse_status,DC-DAL'))!);
    expect([dal.drift_explained_value, dal.drift_failed_syncs]).toEqual(['6200.24', '2']);
    const moves = lines.filter((l) => l.includes(',unsynced_movement,'));
    expect(moves).toHaveLength(4);
    expect(cells(moves[0]!)).toMatchObject({
      warehouse_id: 'DC-DAL', sku: 'FULL', correlation_id: 'C-a', movement_type: 'receipt.posted', sync_status: 'dead_lettered',
      // A leading "+" would start a spreadsheet formula: the CSV builder quotes it with an apostrophe.
      drift_cause: "'+68 units: 2 receipts whose WMS → ERP message was dead-lettered, explained in full",
    });
  });
});
