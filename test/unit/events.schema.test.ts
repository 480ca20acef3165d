import { describe, expect, it } from 'vitest';
import { type CanonicalEvent, validateEvent } from '@/lib/events';
import { exampleLines } from '../helpers/fixtures';

// Ingest time for every case: after the last example, so none of them is in the future.
const NOW = Date.parse('2026-11-03T00:00:00.000Z');
const DAY = 86_400_000;

const EXAMPLES = exampleLines();

type Obj = Record<string, unknown>;
const business = (over: Obj = {}): Obj => ({
  event_id: 'e-1',
  type: 'order.created',
  occurred_at: '2026-10-14T09:12:03.120Z',
  source_system: 'ERP',
  warehouse_id: 'DC-ATL',
  correlation_id: 'SO-1',
  ...over,
});
const sync = (over: Obj = {}): Obj =>
  business({
    type: 'sync.message',
    observed_at: '2026-10-14T09:12:31.870Z',
    target_system: 'WMS',
    attributes: { status: 'delivered' },
    ...over,
  });
const withAttrs = (type: string, attributes: unknown, over: Obj = {}): Obj =>
  type === 'sync.message' ? sync({ attributes, ...over }) : business({ type, attributes, ...over });

function accept(input: unknown, now = NOW): CanonicalEvent {
  const r = validateEvent(input, now);
  if (!r.ok) throw new Error(`expected valid, got: ${r.reason}`);
  return r.event;
}
function reject(input: unknown, now = NOW): string {
  const r = validateEvent(input, now);
  if (r.ok) throw new Error(`expected invalid: ${JSON.stringify(input)}`);
  return r.reason;
}
/** Asserts the event is rejected with a reason naming `field`; returns the reason. */
function rejectAt(field: string, input: unknown, now = NOW): string {
  const reason = reject(input, now);
  expect(reason.startsWith(`${field}: `), `reason "${reason}" should name ${field}`).toBe(true);
  return reason;
}

describe('events.md examples', () => {
  it.each(EXAMPLES.map((l, i) => [i + 1, l] as const))('examples.ndjson line %i validates', (_n, line) => {
    const input = JSON.parse(line) as Obj;
    if (input.source_system !== 'control-tower') accept(input);
    else {
      // The tower's own triage events: valid from triage, refused from a feed (events.md).
      expect(validateEvent(input, NOW, { origin: 'triage', warehouses: null }).ok).toBe(true);
      expect(reject(input)).toMatch(/^source_system: "control-tower" is reserved/);
    }
  });
});

describe('envelope rules', () => {
  it('input that is not a JSON object is rejected', () => {
    for (const input of [null, undefined, [], [business()], 'event', 42, true]) {
      expect(reject(input)).toBe('event: must be a JSON object');
    }
  });

  it('unknown top-level fields are rejected', () => {
    expect(reject(business({ foo: 1 }))).toBe('unknown field "foo"');
    expect(reject(business({ ingested_at: '2026-10-14T09:12:03Z' }))).toBe('unknown field "ingested_at"');
  });

  it('required envelope fields: missing or empty is rejected, naming the field', () => {
    for (const f of ['event_id', 'type', 'occurred_at', 'source_system', 'warehouse_id', 'correlation_id']) {
      const { [f]: _dropped, ...rest } = business();
      expect(reject(rest)).toBe(`${f}: required`);
    }
    for (const f of ['event_id', 'source_system', 'warehouse_id', 'correlation_id']) {
      expect(reject(business({ [f]: '' }))).toBe(`${f}: must not be empty`);
      expect(reject(business({ [f]: 7 }))).toBe(`${f}: must be a string`);
    }
  });

  it('event_id is 1–128 code points (emoji count once)', () => {
    expect(accept(business({ event_id: '😀'.repeat(128) })).event_id).toBe('😀'.repeat(128));
    expect(reject(business({ event_id: '😀'.repeat(129) }))).toBe('event_id: must be at most 128 characters');
    accept(business({ event_id: 'x'.repeat(128) }));
    rejectAt('event_id', business({ event_id: 'x'.repeat(129) }));
  });

  it('source_system, target_system and warehouse_id are 1–64 code points', () => {
    for (const f of ['source_system', 'target_system', 'warehouse_id']) {
      accept(sync({ [f]: 'é'.repeat(64) }));
      accept(sync({ [f]: '🏭'.repeat(64) }));
      expect(reject(sync({ [f]: 'x'.repeat(65) }))).toBe(`${f}: must be at most 64 characters`);
      rejectAt(f, sync({ [f]: '' }));
    }
  });

  it('source_system "control-tower" is the tower\'s own: rejected from feeds, exactly, accepted from triage', () => {
    const tower = business({ source_system: 'control-tower', warehouse_id: 'x'.repeat(65) });
    // The reserved source is reported before a later field's error (table order).
    expect(reject(tower)).toBe('source_system: "control-tower" is reserved for the tower\'s own triage events');
    accept(business({ source_system: 'Control-Tower' }));
    const triage = validateEvent(business({ source_system: 'control-tower' }), NOW, { origin: 'triage', warehouses: null });
    expect(triage.ok).toBe(true);
  });

  it('a warehouse allow-list rejects other warehouses from feeds, naming warehouse_id; triage is not bound by it', () => {
    const policy = { origin: 'feed', warehouses: new Set(['DC-ATL']) } as const;
    expect(validateEvent(business({ warehouse_id: 'DC-ATL' }), NOW, policy).ok).toBe(true);
    expect(validateEvent(business({ warehouse_id: 'DC-EVIL' }), NOW, policy)).toMatchObject({
      ok: false,
      reason: 'warehouse_id: "DC-EVIL" is not an allowed warehouse (CT_WAREHOUSES)',
    });
    expect(validateEvent(business({ warehouse_id: 'DC-EVIL' }), NOW, { ...policy, origin: 'triage' }).ok).toBe(true);
  });

  it('correlation_id is 1–256 code points and hostile values pass unchanged', () => {
    const hostile = [
      `he said "hi"`,
      'back\\slash\\',
      '100%_done%25',
      'a/b/../c',
      '  spaced  out  ',
      'emoji 😀🚚📦',
      "'; DROP TABLE x; --",
      'ünïcödé 订单 注文',
      '{"json":true}',
    ];
    for (const c of hostile) expect(accept(business({ correlation_id: c })).correlation_id).toBe(c);
    accept(business({ correlation_id: '📦'.repeat(256) }));
    expect(reject(business({ correlation_id: '📦'.repeat(257) }))).toBe('correlation_id: must be at most 256 characters');
  });

  it('document_ref is optional, may be empty, at most 128 code points', () => {
    expect(accept(business()).document_ref).toBeNull();
    expect(accept(business({ document_ref: '' })).document_ref).toBe('');
    accept(business({ document_ref: '😀'.repeat(128) }));
    expect(reject(business({ document_ref: 'x'.repeat(129) }))).toBe('document_ref: must be at most 128 characters');
  });

  it('no string field may hold a control character (Cc)', () => {
    for (const cc of ['\u0000', '\t', '\n', '\u001f', '\u007f', '\u0085', '\u009f']) {
      expect(reject(business({ correlation_id: `a${cc}b` }))).toBe('correlation_id: must not contain control characters');
      rejectAt('event_id', business({ event_id: `a${cc}` }));
      rejectAt('document_ref', business({ document_ref: cc }));
      expect(reject(business({ attributes: { note: `x${cc}` } }))).toBe('attributes.note: must not contain control characters');
      expect(reject(withAttrs('sync.message', { status: 'delivered', error: `503${cc}` }))).toBe(
        'attributes.error: must not contain control characters',
      );
      // The offending key is shown JSON-escaped, so the reason itself stays printable.
      expect(reject(business({ attributes: { [`k${cc}`]: 'v' } }))).toBe(
        `attributes[${JSON.stringify(`k${cc}`)}]: attribute name must not contain control characters`,
      );
    }
    // U+00A0 (no-break space) is category Zs, not Cc.
    accept(business({ correlation_id: 'a\u00a0b' }));
  });

  it('no string field may hold an unpaired surrogate', () => {
    for (const bad of ['\ud83d', 'x\ude00', '\ude00\ud83d', 'a\ud83dz']) {
      expect(reject(business({ correlation_id: bad }))).toBe('correlation_id: must not contain unpaired surrogates');
      expect(reject(business({ attributes: { note: bad } }))).toBe('attributes.note: must not contain unpaired surrogates');
      expect(reject(business({ attributes: { [bad]: 1 } }))).toBe(
        `attributes[${JSON.stringify(bad)}]: attribute name must not contain unpaired surrogates`,
      );
    }
    accept(business({ correlation_id: '\ud83d\ude00' }));
  });

  it('type must be one of the event types, case-sensitively', () => {
    rejectAt('type', business({ type: 'order.Created' }));
    rejectAt('type', business({ type: 'order' }));
    rejectAt('type', business({ type: 1 }));
    expect(accept(business({ type: 'credit.issued' })).type).toBe('credit.issued');
  });

  it('workflow is an enumeration defaulting to other', () => {
    expect(accept(business()).workflow).toBe('other');
    expect(accept(business({ workflow: 'procure_to_pay' })).workflow).toBe('procure_to_pay');
    expect(reject(business({ workflow: 'Order_To_Cash' }))).toBe(
      'workflow: must be one of order_to_cash, procure_to_pay, return_to_credit, inventory, shipping, other',
    );
  });

  it('null on an optional field means absent (API output re-ingests as is)', () => {
    const ev = accept(business({ target_system: null, document_ref: null, workflow: null, observed_at: null, attributes: null }));
    expect(ev).toMatchObject({ target_system: null, document_ref: null, workflow: 'other', observed_at_ms: NOW });
    rejectAt('event_id', business({ event_id: null }));
  });
});

describe('timestamps', () => {
  const at = (occurred_at: unknown) => business({ occurred_at });

  it('RFC 3339 forms with an offset are accepted and normalized to UTC ms', () => {
    const cases: Array<[string, string]> = [
      ['2026-10-14T09:12:03Z', '2026-10-14T09:12:03.000Z'],
      ['2026-10-14t09:12:03z', '2026-10-14T09:12:03.000Z'],
      ['2026-10-14 09:12:03.1Z', '2026-10-14T09:12:03.100Z'],
      ['2026-10-14T09:12:03.12+00:00', '2026-10-14T09:12:03.120Z'],
      ['2026-10-14T09:12:03.120-00:00', '2026-10-14T09:12:03.120Z'],
    ];
    for (const [input, iso] of cases) {
      const ev = accept(at(input));
      expect(ev.occurred_at).toBe(iso);
      expect(ev.occurred_at_ms).toBe(Date.parse(iso));
    }
  });

  it('a timestamp without an offset is rejected', () => {
    expect(reject(at('2026-10-14T09:12:03'))).toBe('occurred_at: timestamp must include a UTC offset');
    expect(reject(at('2026-10-14T09:12:03.120'))).toBe('occurred_at: timestamp must include a UTC offset');
    expect(reject(sync({ observed_at: '2026-10-14 09:12:31' }))).toBe('observed_at: timestamp must include a UTC offset');
  });

  it('malformed timestamps are rejected', () => {
    for (const bad of [
      '2026-10-14',
      '2026-10-14T09:12Z',
      '2026-10-14T09:12:03.Z',
      '2026-10-14T09:12:03+0200',
      '2026-10-14T09:12:03+2',
      '2026-10-14  09:12:03Z',
      '14/10/2026 09:12:03Z',
      ' 2026-10-14T09:12:03Z',
      '2026-10-14T09:12:03Z ',
      '+02026-10-14T09:12:03Z',
    ]) {
      rejectAt('occurred_at', at(bad));
    }
    expect(reject(at(1791961923120))).toBe('occurred_at: must be an RFC 3339 timestamp string');
  });

  it('calendar fields are range-checked, Feb 29 only in leap years, seconds 00–59', () => {
    accept(at('2024-02-29T12:00:00Z'));
    accept(at('2000-02-29T12:00:00Z'));
    for (const bad of [
      '2026-02-29T12:00:00Z',
      '2100-02-29T12:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-10-00T00:00:00Z',
      '2026-10-14T24:00:00Z',
      '2026-10-14T23:60:00Z',
      '2026-10-14T23:59:60Z',
      '2026-10-14T12:00:00+24:00',
      '2026-10-14T12:00:00+01:60',
    ]) {
      rejectAt('occurred_at', at(bad));
    }
  });

  it('digits beyond milliseconds are truncated, not rounded', () => {
    const ev = accept(at('2026-10-14T09:12:03.1239999999Z'));
    expect(ev.occurred_at).toBe('2026-10-14T09:12:03.123Z');
    expect(ev.occurred_at_ms % 1000).toBe(123);
    expect(accept(at('2026-10-14T23:59:59.9999Z')).occurred_at).toBe('2026-10-14T23:59:59.999Z');
  });

  it('offsets are converted to UTC', () => {
    expect(accept(at('2026-10-15T02:30:00+02:00')).occurred_at).toBe('2026-10-15T00:30:00.000Z');
    expect(accept(at('2026-10-14T19:00:00-05:30')).occurred_at).toBe('2026-10-15T00:30:00.000Z');
    expect(accept(at('2026-03-01T00:30:00+01:00')).occurred_at).toBe('2026-02-28T23:30:00.000Z');
  });

  it('more than 1 day in the future of ingest time is rejected, exactly 1 day is accepted', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(accept(at(iso(NOW + DAY))).occurred_at_ms).toBe(NOW + DAY);
    expect(reject(at(iso(NOW + DAY + 1)))).toBe('occurred_at: must not be more than 1 day in the future of ingest time');
    rejectAt('observed_at', sync({ observed_at: iso(NOW + DAY + 1) }));
    accept(sync({ observed_at: iso(NOW + DAY) }));
    // The bound moves with the ingest time passed in, not the wall clock.
    accept(at('2031-01-01T00:00:00Z'), Date.parse('2030-12-31T12:00:00Z'));
  });

  it('timestamps before 2000-01-01T00:00:00Z are rejected', () => {
    accept(at('2000-01-01T00:00:00Z'));
    expect(reject(at('1999-12-31T23:59:59.999Z'))).toBe('occurred_at: must not be before 2000-01-01T00:00:00Z');
    rejectAt('occurred_at', at('2000-01-01T00:30:00+01:00'));
    rejectAt('observed_at', sync({ observed_at: '1970-01-01T00:00:00Z' }));
  });

  it('observed_at defaults to ingest time outside sync.message and may precede occurred_at', () => {
    const ev = accept(business());
    expect(ev.observed_at_ms).toBe(NOW);
    expect(ev.observed_at).toBe('2026-11-03T00:00:00.000Z');
    const skewed = accept(sync({ occurred_at: '2026-10-14T10:00:00Z', observed_at: '2026-10-14T09:59:00Z' }));
    expect(skewed.observed_at_ms - skewed.occurred_at_ms).toBe(-60_000);
  });
});
