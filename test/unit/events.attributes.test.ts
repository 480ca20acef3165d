import { describe, expect, it } from 'vitest';
import { type CanonicalEvent, validateEvent } from '@/lib/events';

const NOW = Date.parse('2026-11-03T00:00:00.000Z');

type Obj = Record<string, unknown>;
const event = (type: string, attributes: unknown, over: Obj = {}): Obj => ({
  event_id: 'e-1',
  type,
  occurred_at: '2026-10-14T09:12:03.120Z',
  source_system: 'ERP',
  warehouse_id: 'DC-ATL',
  correlation_id: 'SO-1',
  ...(type === 'sync.message' ? { observed_at: '2026-10-14T09:12:31.870Z', target_system: 'WMS' } : {}),
  ...(attributes === undefined ? {} : { attributes }),
  ...over,
});

function accept(input: unknown): CanonicalEvent {
  const r = validateEvent(input, NOW);
  if (!r.ok) throw new Error(`expected valid, got: ${r.reason}`);
  return r.event;
}
function reject(input: unknown): string {
  const r = validateEvent(input, NOW);
  if (r.ok) throw new Error(`expected invalid: ${JSON.stringify(input)}`);
  return r.reason;
}

const BUSINESS = [
  'order.created',
  'pick.confirmed',
  'shipment.confirmed',
  'invoice.posted',
  'payment.received',
  'return.received',
  'credit.issued',
  'receipt.posted',
  'transfer.shipped',
  'transfer.received',
  'inventory.adjusted',
];
const FOLLOWUPS = ['exception.acknowledged', 'exception.assigned', 'exception.resolved'];

describe('attributes object', () => {
  it('unknown attribute keys are kept verbatim, including hostile names', () => {
    const attrs = JSON.parse('{"__proto__":"p","constructor":1,"channel":"b2b","flag":true,"x y/%":"z"}') as Obj;
    const ev = accept(event('order.created', attrs));
    expect(Object.keys(ev.attributes)).toEqual(['__proto__', 'constructor', 'channel', 'flag', 'x y/%', 'currency']);
    expect(Object.getPrototypeOf(ev.attributes)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(ev.attributes))).toEqual(JSON.parse('{"__proto__":"p","constructor":1,"channel":"b2b","flag":true,"x y/%":"z","currency":"USD"}'));
  });

  it('attributes is a flat object of string / number / boolean values', () => {
    for (const bad of [{ a: 1 }, [1], null]) {
      expect(reject(event('order.created', { nested: bad }))).toBe('attributes.nested: must be a string, number or boolean');
    }
    for (const bad of ['x', 1, [], [{ a: 1 }]]) expect(reject(event('order.created', bad))).toBe('attributes: must be an object');
    expect(accept(event('order.created', undefined)).attributes).toEqual({ currency: 'USD' });
    expect(reject(event('order.created', { 'weird key': {} }))).toBe('attributes["weird key"]: must be a string, number or boolean');
  });

  it('numbers must be finite', () => {
    for (const n of [Infinity, -Infinity, NaN]) {
      expect(reject(event('order.created', { extra: n }))).toBe('attributes.extra: must be a finite number');
      expect(reject(event('order.created', { amount: n }))).toBe('attributes.amount: must be a finite number');
      expect(reject(event('inventory.snapshot', { sku: 'S', quantity: n }))).toBe('attributes.quantity: must be a finite number');
    }
  });
});

describe('sync.message', () => {
  it('target_system and observed_at are required', () => {
    const { target_system: _t, ...noTarget } = event('sync.message', { status: 'delivered' });
    expect(reject(noTarget)).toBe('target_system: required for sync.message');
    const { observed_at: _o, ...noObserved } = event('sync.message', { status: 'delivered' });
    expect(reject(noObserved)).toBe('observed_at: required for sync.message');
    expect(reject(event('sync.message', { status: 'delivered' }, { target_system: null }))).toBe('target_system: required for sync.message');
    // Not required elsewhere.
    expect(accept(event('order.created', {})).target_system).toBeNull();
  });

  it('status is required and one of delivered, failed, retried, dead_lettered (case-sensitive)', () => {
    for (const s of ['delivered', 'failed', 'retried', 'dead_lettered']) accept(event('sync.message', { status: s }));
    expect(reject(event('sync.message', {}))).toBe('attributes.status: required for sync.message');
    expect(reject(event('sync.message', undefined))).toBe('attributes.status: required for sync.message');
    const oneOf = 'attributes.status: must be one of delivered, failed, retried, dead_lettered';
    expect(reject(event('sync.message', { status: 'Delivered' }))).toBe(oneOf);
    expect(reject(event('sync.message', { status: 'ok' }))).toBe(oneOf);
    expect(reject(event('sync.message', { status: 1 }))).toBe('attributes.status: must be a string');
  });

  it('attempt is an integer ≥ 1, payload_bytes an integer ≥ 0, interface and error strings', () => {
    accept(event('sync.message', { status: 'failed', attempt: 1, payload_bytes: 0, interface: 'order_api', error: 'HTTP 503' }));
    expect(reject(event('sync.message', { status: 'failed', attempt: 0 }))).toBe('attributes.attempt: must be at least 1');
    expect(reject(event('sync.message', { status: 'failed', attempt: 1.5 }))).toBe('attributes.attempt: must be an integer');
    expect(reject(event('sync.message', { status: 'failed', attempt: '2' }))).toBe('attributes.attempt: must be an integer');
    expect(reject(event('sync.message', { status: 'failed', payload_bytes: -1 }))).toBe('attributes.payload_bytes: must be at least 0');
    expect(reject(event('sync.message', { status: 'failed', payload_bytes: 10.5 }))).toBe('attributes.payload_bytes: must be an integer');
    expect(reject(event('sync.message', { status: 'failed', interface: 3 }))).toBe('attributes.interface: must be a string');
    expect(reject(event('sync.message', { status: 'failed', error: false }))).toBe('attributes.error: must be a string');
  });

  it('no currency default on non-money types', () => {
    expect(accept(event('sync.message', { status: 'delivered' })).attributes).toEqual({ status: 'delivered' });
  });
});

describe('business types', () => {
  it('all 11 accept amount, currency, sku, quantity, uom and default currency to USD', () => {
    for (const type of BUSINESS) {
      expect(accept(event(type, {})).attributes).toEqual({ currency: 'USD' });
      const full = { amount: 10.25, currency: 'EUR', sku: 'SKU-1', quantity: -3.5, uom: 'EA' };
      expect(accept(event(type, full)).attributes).toEqual(full);
    }
  });

  it('amount is a number ≥ 0', () => {
    accept(event('invoice.posted', { amount: 0 }));
    expect(reject(event('invoice.posted', { amount: -0.01 }))).toBe('attributes.amount: must be at least 0');
    expect(reject(event('invoice.posted', { amount: '12' }))).toBe('attributes.amount: must be a number');
  });

  it('currency is three capital letters', () => {
    for (const bad of ['usd', 'US', 'USDT', 'U$D', '', 840]) {
      expect(reject(event('payment.received', { currency: bad })).startsWith('attributes.currency: ')).toBe(true);
    }
  });

  it('quantity is a number of any sign; sku and uom are strings', () => {
    expect(accept(event('inventory.adjusted', { quantity: -12 })).attributes.quantity).toBe(-12);
    expect(reject(event('inventory.adjusted', { quantity: '12' }))).toBe('attributes.quantity: must be a number');
    expect(reject(event('pick.confirmed', { sku: 1042 }))).toBe('attributes.sku: must be a string');
    expect(reject(event('pick.confirmed', { uom: true }))).toBe('attributes.uom: must be a string');
  });

  it('amount, quantity and unit_cost must stay below 1e20 in magnitude (Decimal(38, 6))', () => {
    const msg = 'must be less than 1e20 in magnitude (stored as Decimal(38, 6))';
    const maxBelow = 99_999_999_999_999_983_616; // largest double below 1e20
    accept(event('order.created', { amount: maxBelow, quantity: -maxBelow }));
    expect(reject(event('order.created', { amount: 1e20 }))).toBe(`attributes.amount: ${msg}`);
    expect(reject(event('order.created', { quantity: -1e20 }))).toBe(`attributes.quantity: ${msg}`);
    expect(reject(event('inventory.snapshot', { sku: 'S', quantity: 1, unit_cost: 1e25 }))).toBe(`attributes.unit_cost: ${msg}`);
  });
});

describe('exceptions', () => {
  const opened = { exception_id: 'EXC-1', category: 'pricing', severity: 'critical' };

  it('exception.opened requires exception_id, category and severity ∈ critical|high|medium|low', () => {
    for (const severity of ['critical', 'high', 'medium', 'low']) accept(event('exception.opened', { ...opened, severity }));
    accept(event('exception.opened', { ...opened, summary: 'price mismatch', owner: 'ana' }));
    for (const key of ['exception_id', 'category', 'severity'] as const) {
      const { [key]: _dropped, ...rest } = opened;
      expect(reject(event('exception.opened', rest))).toBe(`attributes.${key}: required for exception.opened`);
      expect(reject(event('exception.opened', { ...opened, [key]: '' }))).toBe(`attributes.${key}: must not be empty`);
    }
    expect(reject(event('exception.opened', { ...opened, severity: 'High' }))).toBe(
      'attributes.severity: must be one of critical, high, medium, low',
    );
    expect(reject(event('exception.opened', { ...opened, summary: 5 }))).toBe('attributes.summary: must be a string');
  });

  it('acknowledged / assigned / resolved require exception_id; owner, resolution, actor are strings', () => {
    for (const type of FOLLOWUPS) {
      accept(event(type, { exception_id: 'EXC-1', owner: 'bo', resolution: 'fixed', actor: 'ana' }));
      expect(reject(event(type, {}))).toBe(`attributes.exception_id: required for ${type}`);
      expect(reject(event(type, { exception_id: 31 }))).toBe('attributes.exception_id: must be a string');
      for (const key of ['owner', 'resolution', 'actor']) {
        expect(reject(event(type, { exception_id: 'EXC-1', [key]: 1 }))).toBe(`attributes.${key}: must be a string`);
      }
    }
  });
});

describe('inventory.snapshot', () => {
  it('requires sku and quantity; uom string, unit_cost number ≥ 0; no currency default', () => {
    const ev = accept(event('inventory.snapshot', { sku: 'SKU-1', quantity: 0, uom: 'EA', unit_cost: 0 }));
    expect(ev.attributes).toEqual({ sku: 'SKU-1', quantity: 0, uom: 'EA', unit_cost: 0 });
    expect(reject(event('inventory.snapshot', { quantity: 1 }))).toBe('attributes.sku: required for inventory.snapshot');
    expect(reject(event('inventory.snapshot', { sku: 'S' }))).toBe('attributes.quantity: required for inventory.snapshot');
    expect(reject(event('inventory.snapshot', { sku: 'S', quantity: '1' }))).toBe('attributes.quantity: must be a number');
    expect(reject(event('inventory.snapshot', { sku: 'S', quantity: 1, unit_cost: -1 }))).toBe('attributes.unit_cost: must be at least 0');
    expect(reject(event('inventory.snapshot', { sku: 'S', quantity: 1, uom: 2 }))).toBe('attributes.uom: must be a string');
  });
});

describe('named attribute types hold on every event type', () => {
  it('a named attribute with the wrong type is rejected even where it is optional', () => {
    expect(reject(event('sync.message', { status: 'delivered', amount: '12' }))).toBe('attributes.amount: must be a number');
    expect(reject(event('exception.opened', { exception_id: 'E', category: 'c', severity: 'low', sku: 7 }))).toBe(
      'attributes.sku: must be a string',
    );
    // Enumerations only bind where events.md lists them: `status` is free text on an order.
    expect(accept(event('order.created', { status: 'open' })).attributes.status).toBe('open');
  });
});

describe('failure report', () => {
  it('reports the first issue: envelope fields in table order, unknown fields, then attributes', () => {
    const messy = event('sync.message', { status: 'nope', attempt: 0 }, { event_id: '', document_ref: 'x'.repeat(200), foo: 1 });
    expect(reject(messy)).toBe('event_id: must not be empty');
    const { target_system: _t, ...noTarget } = event('sync.message', { status: 'nope' }, { document_ref: 'x'.repeat(200) });
    expect(reject(noTarget)).toBe('target_system: required for sync.message');
    expect(reject(event('sync.message', { status: 'nope', attempt: 0 }, { foo: 1 }))).toBe('unknown field "foo"');
    expect(reject(event('sync.message', { extra: {}, attempt: 0, status: 'nope' }))).toBe(
      'attributes.status: must be one of delivered, failed, retried, dead_lettered',
    );
  });

  it('echoes a string event_id truncated to 128 code points, else null', () => {
    const long = '😀'.repeat(200);
    expect(validateEvent(event('nope', {}, { event_id: long }), NOW)).toEqual({
      ok: false,
      reason: 'event_id: must be at most 128 characters',
      event_id: '😀'.repeat(128),
    });
    expect(validateEvent(event('nope', {}), NOW)).toMatchObject({ ok: false, event_id: 'e-1' });
    expect(validateEvent(event('nope', {}, { event_id: 42 }), NOW)).toMatchObject({ ok: false, event_id: null });
    expect(validateEvent('{"event_id":"x"}', NOW)).toMatchObject({ ok: false, event_id: null });
  });
});
