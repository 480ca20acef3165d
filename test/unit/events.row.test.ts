import { describe, expect, it } from 'vitest';
import {
  type CanonicalEvent,
  eventRowSchema,
  formatDecimal,
  rowToApiEvent,
  toEventRow,
  validateEvent,
} from '@/lib/events';
import { exampleEvents } from '../helpers/fixtures';

const NOW = Date.parse('2026-11-03T00:00:00.000Z');
const INGESTED = Date.parse('2026-11-03T00:00:01.234Z');

const EXAMPLES = exampleEvents();

// The spec's examples include the tower's own triage events (source_system control-tower), which only
// triage may write: row conversion does not depend on who writes, so every example is read as triage's.
function valid(input: unknown): CanonicalEvent {
  const r = validateEvent(input, NOW, { origin: 'triage', warehouses: null });
  if (!r.ok) throw new Error(r.reason);
  return r.event;
}
const example = (id: string) => valid(EXAMPLES.find((e) => e.event_id === id));
/** What ClickHouse hands back: JSON text, decoded. */
const throughJson = <T>(v: T): unknown => JSON.parse(JSON.stringify(v));

describe('formatDecimal', () => {
  it('writes Decimal(38, 6) text: ≤ 6 fractional digits, no exponent', () => {
    const cases: Array<[number, string]> = [
      [1249.5, '1249.5'],
      [0.000001, '0.000001'],
      [1e-7, '0'],
      [0.0000015, '0.000002'],
      [12, '12'],
      [-12, '-12'],
      [0, '0'],
      [-0, '0'],
      [-1e-9, '0'],
      [18.4, '18.4'],
      [0.1 + 0.2, '0.3'],
      [123456.1234564, '123456.123456'],
      [1e19, '10000000000000000000'],
      [99_999_999_999_999_983_616, '99999999999999983616'],
    ];
    for (const [n, s] of cases) expect(formatDecimal(n)).toBe(s);
    for (const bad of [1e20, -1e20, Infinity, NaN]) expect(() => formatDecimal(bad)).toThrow(RangeError);
  });
});

describe('toEventRow', () => {
  it('maps a business event: decimals as text, currency default, UTC DateTime64 text', () => {
    const row = toEventRow(example('erp-inv-700451'), INGESTED);
    expect(row).toEqual({
      event_id: 'erp-inv-700451',
      type: 'invoice.posted',
      occurred_at: '2026-10-15 00:30:00.000',
      observed_at: '2026-11-03 00:00:00.000',
      ingested_at: '2026-11-03 00:00:01.234',
      source_system: 'ERP',
      target_system: '',
      warehouse_id: 'DC-ATL',
      correlation_id: 'SO-9001',
      workflow: 'order_to_cash',
      document_ref: 'INV700451',
      attributes: '{"amount":1249.5,"currency":"USD"}',
      status: '',
      interface: null,
      exception_id: '',
      category: '',
      severity: '',
      owner: null,
      amount: '1249.5',
      currency: 'USD',
      sku: '',
      quantity: null,
      unit_cost: null,
    });
    const pick = toEventRow(example('wms-pick-55120'), INGESTED);
    expect(pick).toMatchObject({ sku: 'SKU-1042', quantity: '12', amount: null, currency: 'USD' });
    expect(JSON.parse(pick.attributes)).toEqual({ sku: 'SKU-1042', quantity: 12, uom: 'EA', currency: 'USD' });
  });

  it('maps sync, exception and snapshot columns; money columns stay empty elsewhere', () => {
    expect(toEventRow(example('mw-7f3a-1'), INGESTED)).toMatchObject({
      target_system: 'ERP',
      observed_at: '2026-10-14 09:12:31.870',
      status: 'delivered',
      interface: 'order_api',
      currency: '',
      amount: null,
    });
    expect(toEventRow(example('mw-exc-31'), INGESTED)).toMatchObject({
      exception_id: 'EXC-31',
      category: 'sync_failure',
      severity: 'high',
      owner: null,
      status: '',
      currency: '',
    });
    expect(toEventRow(example('ct-exc-31-res'), INGESTED)).toMatchObject({ exception_id: 'EXC-31', category: '', severity: '' });
    expect(toEventRow(example('erp-snap-atl-1042-20261014'), INGESTED)).toMatchObject({
      sku: 'SKU-1042',
      quantity: '340',
      unit_cost: '18.4',
      amount: null,
      currency: '',
    });
  });

  it('produces rows that eventRowSchema accepts, also with decimals read back as JSON numbers', () => {
    for (const e of EXAMPLES) {
      const row = toEventRow(valid(e), INGESTED);
      expect(eventRowSchema.parse(throughJson(row))).toEqual(row);
    }
    const row = toEventRow(example('erp-snap-atl-1042-20261014'), INGESTED);
    const numeric = { ...row, quantity: 340, unit_cost: 18.4 };
    expect(eventRowSchema.parse(numeric)).toMatchObject({ quantity: '340', unit_cost: '18.4' });
    expect(eventRowSchema.safeParse({ ...row, occurred_at: '2026-02-30 00:00:00.000' }).success).toBe(false);
    expect(eventRowSchema.safeParse({ ...row, amount: '1e5' }).success).toBe(false);
  });
});

describe('rowToApiEvent', () => {
  it('round-trips every example: validate → row → ClickHouse JSON → API event → validate', () => {
    for (const e of EXAMPLES) {
      const ev = valid(e);
      const api = rowToApiEvent(throughJson(toEventRow(ev, INGESTED)));
      expect(api).toEqual({
        event_id: ev.event_id,
        type: ev.type,
        occurred_at: ev.occurred_at,
        observed_at: ev.observed_at,
        source_system: ev.source_system,
        target_system: ev.target_system,
        warehouse_id: ev.warehouse_id,
        correlation_id: ev.correlation_id,
        workflow: ev.workflow,
        document_ref: ev.document_ref,
        attributes: ev.attributes,
        ingested_at: '2026-11-03T00:00:01.234Z',
      });
      const { ingested_at: _i, ...again } = api;
      expect(valid(again)).toEqual(ev);
    }
  });

  it('keeps hostile text exactly and reads the ISO variant of DateTime64 text', () => {
    const ev = valid({
      ...EXAMPLES[0],
      correlation_id: `'; DROP TABLE x; -- "q" \\ % / 😀`,
      document_ref: '',
      attributes: { note: 'ünï "x" \\', amount: 0.000001 },
    });
    const row = toEventRow(ev, INGESTED);
    expect(row.amount).toBe('0.000001');
    const api = rowToApiEvent(throughJson({ ...row, occurred_at: '2026-10-14T09:12:03.120Z' }));
    expect(api.correlation_id).toBe(ev.correlation_id);
    expect(api.document_ref).toBe('');
    expect(api.attributes).toEqual({ note: 'ünï "x" \\', amount: 0.000001, currency: 'USD' });
    expect(api.occurred_at).toBe('2026-10-14T09:12:03.120Z');
  });

  it('rejects rows that are not event rows', () => {
    const row = toEventRow(example('mw-7f3a-1'), INGESTED);
    expect(() => rowToApiEvent({ ...row, occurred_at: 'yesterday' })).toThrow(/occurred_at/);
    expect(() => rowToApiEvent({ ...row, attributes: '[1]' })).toThrow(/attributes/);
    expect(() => rowToApiEvent({ ...row, type: 'nope' })).toThrow(/type/);
    expect(() => rowToApiEvent(null)).toThrow(/invalid event row/);
  });
});
