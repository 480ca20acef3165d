import { describe, expect, it } from 'vitest';
import { generateDemo } from '@/ingest/demo';
import { createCanonicalEventSchema, type IngestPolicy, validateEvent } from '@/lib/events';
import { EVENT_COLUMNS, eventRowLine, formatDecimal, toEventRow } from '@/lib/events/row';
import { fastCanonical, fastTimestamp } from '@/lib/events/fast';
import { parseRfc3339, timestampRangeProblem } from '@/lib/events/timestamp';
import { exampleEvents } from '../helpers/fixtures';

/**
 * The fast path (lib/events/fast.ts) against the schema, differentially: for every input, either the fast
 * path declines (null) or the schema accepts it and produces exactly the same event. The schema alone
 * decides every rejection and its reason, so those stay as they are.
 */
const NOW = Date.parse('2026-11-03T00:00:00.000Z');
const FEED: IngestPolicy = { origin: 'feed', warehouses: null };
const ALLOW: IngestPolicy = { origin: 'feed', warehouses: new Set(['DC-ATL']) };
const TRIAGE: IngestPolicy = { origin: 'triage', warehouses: null };

type Obj = Record<string, unknown>;

let clock = NOW;
const schemas = new Map<IngestPolicy, ReturnType<typeof createCanonicalEventSchema>>();

function check(input: unknown, policy: IngestPolicy = FEED, now = NOW): 'fast' | 'schema' {
  const fast = fastCanonical(input, now, policy);
  clock = now;
  if (!schemas.has(policy)) schemas.set(policy, createCanonicalEventSchema(() => clock, () => policy));
  const slow = schemas.get(policy)!.safeParse(input);
  if (fast === null) return 'schema';
  if (!slow.success) throw new Error(`fast path accepted what the schema rejects (${slow.error.issues[0]?.message}): ${JSON.stringify(input)}`);
  expect(fast).toStrictEqual(slow.data);
  expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
  return 'fast';
}

const base = (): Obj => ({
  event_id: 'e-1',
  type: 'sync.message',
  occurred_at: '2026-10-14T09:12:03.120Z',
  observed_at: '2026-10-14T09:12:31.870Z',
  source_system: 'ECOM',
  target_system: 'ERP',
  warehouse_id: 'DC-ATL',
  correlation_id: 'SO-1',
  workflow: 'order_to_cash',
  document_ref: 'SO1',
  attributes: { status: 'delivered', attempt: 1, interface: 'order_api', payload_bytes: 10 },
});

const TEXTS: unknown[] = ['', 'x', 'a'.repeat(64), 'a'.repeat(65), 'a'.repeat(129), 'a'.repeat(257), 'tab\there', 'nul\u0000', 'del\u007f', 'c1\u0085',
  '😀', 'lone\ud800', 'lone\udc00x', 'é', ' ', 'control-tower', 'DC-ATL', 'DC-BOS', 0, 1.5, true, null, [], {}, ['x']];
const TIMES: unknown[] = [
  '2026-10-14T09:12:03.120Z', '2026-10-14T09:12:03Z', '2026-10-14t09:12:03z', '2026-10-14 09:12:03.1Z', '2026-10-14T09:12:03.123456789Z',
  '2026-10-14T09:12:03.120+02:00', '2026-10-14T09:12:03.120-05:30', '2026-10-14T09:12:03.120+24:00', '2026-10-14T09:12:03.120+02:60',
  '2026-10-14T09:12:03.120', '2026-10-14T09:12:03.Z', '2026-02-29T00:00:00Z', '2028-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2000-02-29T00:00:00Z',
  '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-10-00T00:00:00Z', '2026-10-14T24:00:00Z', '2026-10-14T23:60:00Z',
  '2026-10-14T23:59:60Z', '1999-12-31T23:59:59.999Z', '2000-01-01T00:00:00.000Z', '2000-01-01T00:30:00+01:00', '0099-01-01T00:00:00Z',
  '2026-11-04T00:00:00.000Z', '2026-11-04T00:00:00.001Z', '2026-11-03T23:00:00-01:00', '2026-11-04T00:00:00.001+00:00', '9999-12-31T23:59:59Z',
  '2026-1-14T09:12:03Z', '2026-10-14T09:12:03.120ZZ', ' 2026-10-14T09:12:03Z', '２026-10-14T09:12:03Z', '2026-10-14T09:12:03,120Z', '', 0, null,
];
const ATTRS: Obj[] = [
  { attempt: 0 }, { attempt: 1.5 }, { attempt: 2 ** 53 }, { attempt: '1' }, { payload_bytes: -1 }, { payload_bytes: 0 },
  { amount: -1 }, { amount: 0 }, { amount: 1e20 }, { amount: 99999999999999999999 }, { amount: '1' }, { quantity: -3.5 }, { quantity: -1e20 },
  { unit_cost: 1e-7 }, { currency: 'usd' }, { currency: 'EURO' }, { currency: 'EUR' }, { currency: 5 }, { status: '' }, { status: 'lost' },
  { status: 'failed', error: 'x\u0001' }, { extra: null }, { extra: [] }, { extra: {} }, { extra: 'ok' }, { extra: 1 }, { extra: false },
  { 'bad\u0000key': 1 }, { '': 1 }, { '10': 'n', b: 1, '2': 'm' }, JSON.parse('{"__proto__": 1}') as Obj, { sku: '' }, { sku: 'S', quantity: 1 },
  { exception_id: 'X-1', category: 'c', severity: 'high' }, { exception_id: 'X-1', category: 'c', severity: 'urgent' }, { exception_id: '' },
  { exception_id: 'X-1', category: 'c' }, { owner: null }, { owner: 'ann' }, { actor: '😀' },
];
const TYPES = ['sync.message', 'order.created', 'invoice.posted', 'exception.opened', 'exception.resolved', 'inventory.snapshot', 'nope', 5];

function* variants(): Generator<Obj> {
  const fields = Object.keys(base());
  for (const f of fields) {
    const { [f]: _, ...without } = base();
    yield without;
    for (const t of f.endsWith('_at') ? TIMES : TEXTS) yield { ...base(), [f]: t };
  }
  for (const wf of ['order_to_cash', 'other', 'nope', null]) yield { ...base(), workflow: wf };
  yield { ...base(), unknown_field: 1 };
  yield JSON.parse(`{${JSON.stringify(base()).slice(1, -1)},"__proto__":{}}`) as Obj;
  for (const type of TYPES) {
    for (const a of ATTRS) {
      yield { ...base(), type, attributes: a };
      yield { ...base(), type, attributes: { status: 'delivered', ...a } };
      yield { ...base(), type, attributes: { exception_id: 'X-1', category: 'c', severity: 'low', sku: 'S', quantity: 2, ...a } };
    }
    yield { ...base(), type, attributes: null };
    yield { ...base(), type, attributes: [] };
    yield { ...base(), type, attributes: 'x' };
    yield { ...base(), type, observed_at: null, target_system: null };
  }
}

describe('validation fast path', () => {
  it('accepts only what the schema accepts, as the schema normalizes it, over many variants and policies', () => {
    const seen = { fast: 0, schema: 0 };
    for (const v of variants()) {
      for (const policy of [FEED, ALLOW, TRIAGE]) seen[check(v, policy)]++;
    }
    for (const junk of [null, 1, 'x', [], [base()], {}]) expect(check(junk)).toBe('schema');
    // Both paths are exercised: the variants include plenty of valid events and plenty of invalid ones.
    expect(seen.fast).toBeGreaterThan(300);
    expect(seen.schema).toBeGreaterThan(1000);
  });

  it('takes the fast path for (nearly) every demo and example event, with the same result', () => {
    const now = Math.floor(Date.now());
    let fast = 0;
    let n = 0;
    for (const ev of generateDemo({ endMs: now, days: 3, scale: 1 })) {
      n++;
      if (check(JSON.parse(JSON.stringify(ev)), FEED, now) === 'fast') fast++;
    }
    expect(n).toBeGreaterThan(1000);
    expect(fast / n).toBeGreaterThan(0.99);
    for (const ev of exampleEvents()) expect(check(ev)).toBe('fast');
  });

  it('reads timestamps exactly as parseRfc3339 does, inside the ingest window', () => {
    const stamps = [...TIMES.filter((t): t is string => typeof t === 'string')];
    for (let i = 0; i < 2000; i++) {
      const ms = Date.UTC(2000, 0, 1) + Math.floor(Math.random() * (NOW + 86_400_000 * 2 - Date.UTC(2000, 0, 1)));
      const iso = new Date(ms).toISOString();
      const off = Math.floor(Math.random() * 24 * 60) - 12 * 60;
      const sign = off < 0 ? '-' : '+';
      const local = new Date(ms + off * 60_000).toISOString().slice(0, 19);
      const hhmm = `${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}:${String(Math.abs(off) % 60).padStart(2, '0')}`;
      stamps.push(iso, iso.replace('.', '.9').replace('Z', '1Z'), iso.slice(0, 19) + 'Z', `${local}.5${sign}${hhmm}`);
    }
    for (const s of stamps) {
      const fast = fastTimestamp(s, NOW);
      const p = parseRfc3339(s);
      const want = p.ok && timestampRangeProblem(p.ms, NOW) === null ? p.ms : NaN;
      if (!Number.isNaN(fast)) expect([s, fast]).toEqual([s, want]);
      else if (/^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d{1,40})?([Zz]|[+-]\d\d:\d\d)$/.test(s)) expect([s, want]).toEqual([s, NaN]);
    }
  });
});

describe('the write path row line', () => {
  it('lists a row\'s values in EVENT_COLUMNS order, the table\'s', () => {
    for (const ev of exampleEvents()) {
      const r = validateEvent(ev, NOW);
      if (!r.ok) throw new Error(r.reason);
      const row = toEventRow(r.event, NOW);
      expect(JSON.parse(eventRowLine(row))).toEqual(EVENT_COLUMNS.map((c) => row[c]));
      expect(Object.keys(row)).toEqual(EVENT_COLUMNS);
    }
  });
});

describe('formatDecimal', () => {
  it('prints what rounding to 6 places and dropping trailing zeros prints, for many values', () => {
    const reference = (n: number): string => {
      const [int = '0', frac = ''] = n.toFixed(6).split('.');
      const digits = frac.replace(/0+$/, '');
      const s = digits === '' ? int : `${int}.${digits}`;
      return s === '-0' ? '0' : s;
    };
    const values = [0, -0, 1, -1, 0.1, 0.2 + 0.1, 254.77, 1e-7, -1e-7, 5e-7, 0.0000005, 123456.1234565, 999999999.999999, 1e9 - 0.5, 1e9, 1e15 + 0.3, 1e19, -2.5e-6];
    for (let i = 0; i < 20_000; i++) {
      const scale = 10 ** Math.floor(Math.random() * 22 - 8);
      values.push((Math.random() - 0.5) * scale, Math.round(Math.random() * 1e6) / 10 ** Math.floor(Math.random() * 8));
    }
    for (const v of values) expect([v, formatDecimal(v)]).toEqual([v, reference(v)]);
  });
});
