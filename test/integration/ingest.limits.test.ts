import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { POST } from '@/app/api/v1/ingest/route';
import { GET as detailGET } from '@/app/api/v1/exceptions/[exception_id]/route';
import { POST as tracesPOST } from '@/app/v1/traces/route';
import { admitIngest } from '@/ingest/limits';
import { exceptionState } from '@/lib/queries/exceptions';
import { exceptionDetailResponse } from '@/lib/queries/exceptions-detail';
import { query, sql } from '@/lib/store';
import { syncMessage } from '../helpers/fixtures';
import { ctx, get, INGEST, ndjson, post } from '../helpers/http';
import { resetStore, useTestStore } from '../helpers/store';

/**
 * Issue 14, points 2 and 6: the ingest token must not act as a tower user, and one request must not
 * write or return without limit. Each test replays the attack as it was reported.
 */
useTestStore();
beforeEach(resetStore);

const SETTINGS = ['CT_MAX_REJECTED_PER_BATCH', 'CT_MAX_LINES_PER_REQUEST', 'CT_INGEST_RATE_EVENTS_PER_S', 'CT_WAREHOUSES'] as const;
afterEach(() => {
  for (const k of SETTINGS) delete process.env[k];
});

const n = z.object({ n: z.number() });
async function countOf(table: 'events' | 'rejected_events'): Promise<number> {
  const q = table === 'events' ? sql`SELECT count() AS n FROM events` : sql`SELECT count() AS n FROM rejected_events`;
  const [r] = await query(q, n, { name: 'test.count' });
  return r!.n;
}

async function send(body: string | Buffer) {
  const res = await POST(post('/api/v1/ingest', body, INGEST), ctx());
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function sendSpans(spans: unknown[], service = 'edi-gw') {
  const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] }] };
  const res = await tracesPOST(post('/v1/traces', JSON.stringify(body), { ...INGEST, 'content-type': 'application/json' }), ctx());
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const S = Date.parse('2026-10-20T10:00:00Z');
const span = (i: number, attrs: { key: string; value: { stringValue: string } }[] = []) => ({
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: i.toString(16).padStart(16, '0'),
  name: 'x',
  startTimeUnixNano: String(BigInt(S) * 1_000_000n),
  endTimeUnixNano: String(BigInt(S + 1500) * 1_000_000n),
  attributes: [{ key: 'ctl.warehouse_id', value: { stringValue: 'DC-OT' } }, { key: 'ctl.correlation_id', value: { stringValue: `C-OT-${i}` } }, ...attrs],
});

const at = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const exceptionEvent = (type: string, id: string, source: string, minutesAgo: number, attrs: Record<string, string> = {}) => ({
  event_id: `${id}-${type}-${source}`,
  type,
  occurred_at: at(minutesAgo),
  source_system: source,
  warehouse_id: 'DC-ATL',
  correlation_id: `SO-${id}`,
  workflow: 'order_to_cash',
  attributes: { exception_id: id, ...attrs },
});
const RESERVED = 'source_system: "control-tower" is reserved for the tower\'s own triage events';

describe('the ingest token cannot speak as the tower', () => {
  it('POST /api/v1/ingest: control-tower acknowledged/resolved events are rejected naming the field; the exception stays open', async () => {
    const opened = exceptionEvent('exception.opened', 'EXC-A1', 'MIDDLEWARE', 60, { category: 'sync_failure', severity: 'high' });
    expect((await send(ndjson([opened]))).status).toBe(200);
    const forged = [
      exceptionEvent('exception.acknowledged', 'EXC-A1', 'control-tower', 30, { actor: 'admin@bars.test' }),
      exceptionEvent('exception.resolved', 'EXC-A1', 'control-tower', 20, { actor: 'admin@bars.test', resolution: 'done' }),
    ];
    const r = await send(ndjson(forged));
    expect(r.status).toBe(207);
    expect(r.body).toEqual({
      accepted: 0,
      duplicates: 0,
      rejected: 2,
      errors: [
        { line: 1, event_id: forged[0]!.event_id, reason: RESERVED },
        { line: 2, event_id: forged[1]!.event_id, reason: RESERVED },
      ],
    });
    expect(await exceptionState({ warehouses: null }, 'EXC-A1', Date.now())).toMatchObject({ status: 'open', acknowledged_at: null, resolved_at: null });
    expect(await countOf('events')).toBe(1);
  });

  it('exactly "control-tower": the comparison is case-sensitive, as for every source system', async () => {
    const r = await send(ndjson([syncMessage({ source_system: 'Control-Tower' }), syncMessage({ source_system: 'control-tower ' })]));
    expect(r.body).toMatchObject({ accepted: 2, rejected: 0 });
  });

  it('/v1/traces: service.name or ctl.source_system control-tower rejects the span, naming the field', async () => {
    const byService = await sendSpans([span(1)], 'control-tower');
    expect(byService.status).toBe(200);
    expect(byService.body).toMatchObject({ partialSuccess: { rejectedSpans: 1 } });
    expect(String((byService.body.partialSuccess as { errorMessage: string }).errorMessage)).toContain(RESERVED);
    const byAttribute = await sendSpans([span(2, [{ key: 'ctl.source_system', value: { stringValue: 'control-tower' } }]), span(3)]);
    expect(byAttribute.body).toMatchObject({ partialSuccess: { rejectedSpans: 1 } });
    expect(String((byAttribute.body.partialSuccess as { errorMessage: string }).errorMessage)).toContain(`span 1 `);
    expect(await countOf('events')).toBe(1);
  });

  it('a source system may resolve its own exception; its claimed actor is data, never a tower user', async () => {
    const evs = [
      exceptionEvent('exception.opened', 'EXC-M1', 'MIDDLEWARE', 90, { category: 'sync_failure', severity: 'low' }),
      exceptionEvent('exception.resolved', 'EXC-M1', 'MIDDLEWARE', 10, { actor: 'admin@bars.test', resolution: 'redelivered' }),
    ];
    expect((await send(ndjson(evs))).body).toMatchObject({ accepted: 2, rejected: 0 });
    const res = await detailGET(get('/api/v1/exceptions/EXC-M1'), ctx({ exception_id: 'EXC-M1' }));
    const d = exceptionDetailResponse.parse(await res.json());
    expect(d.status).toBe('resolved');
    const resolved = d.history.find((h) => h.type === 'exception.resolved')!;
    expect(resolved).toMatchObject({ source_system: 'MIDDLEWARE', actor: null, attributes: { actor: 'admin@bars.test' } });
    expect(d.history.every((h) => h.actor === null)).toBe(true);
  });
});

describe('ingest cannot be made to write without limit', () => {
  it('100,000 "{}" lines: 207, the true rejected count, at most N errors returned and N rows kept', async () => {
    const body = '{}\n'.repeat(100_000);
    const r = await send(body);
    expect(r.status).toBe(207);
    expect(r.body).toMatchObject({ accepted: 0, duplicates: 0, rejected: 100_000, errors_truncated: 99_000 });
    const errors = r.body.errors as { line: number; reason: string }[];
    expect(errors).toHaveLength(1000);
    expect(errors.map((e) => e.line)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(await countOf('rejected_events')).toBe(1000);
    expect(await countOf('events')).toBe(0);
  }, 120_000);

  it('CT_MAX_REJECTED_PER_BATCH: the first N by line are kept, good lines of the batch are stored', async () => {
    process.env.CT_MAX_REJECTED_PER_BATCH = '2';
    const r = await send(ndjson(['{bad', syncMessage(), '[]', '{}', syncMessage(), 'x']));
    expect(r.status).toBe(207);
    expect(r.body).toMatchObject({ accepted: 2, rejected: 4, errors_truncated: 2 });
    expect((r.body.errors as { line: number }[]).map((e) => e.line)).toEqual([1, 3]);
    expect(await countOf('rejected_events')).toBe(2);
    const under = await send(ndjson(['{bad', syncMessage()]));
    expect(Object.keys(under.body).sort()).toEqual(['accepted', 'duplicates', 'errors', 'rejected']);
  });

  it('over CT_MAX_LINES_PER_REQUEST: 413 naming the limit, nothing stored (ingest and OTLP)', async () => {
    process.env.CT_MAX_LINES_PER_REQUEST = '10';
    const ok = await send(ndjson(Array.from({ length: 10 }, () => syncMessage())));
    expect(ok.status).toBe(200);
    const r = await send(ndjson([...Array.from({ length: 10 }, () => syncMessage()), '{}']));
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ error: { code: 'payload_too_large' } });
    expect((r.body.error as { message: string }).message).toMatch(/11 lines .*limit of 10 .*CT_MAX_LINES_PER_REQUEST/);
    const spans = await sendSpans(Array.from({ length: 11 }, (_, i) => span(100 + i)));
    expect(spans.status).toBe(413);
    expect(await countOf('events')).toBe(10);
    expect(await countOf('rejected_events')).toBe(0);
  });

  it('per-token rate limit: 429 rate_limited with Retry-After, nothing stored, admitted again once repaid', async () => {
    process.env.CT_INGEST_RATE_EVENTS_PER_S = '1'; // a bucket of 5 s = 5 events; 60 leave a debt of ~55 s
    const first = await send(ndjson(Array.from({ length: 60 }, () => syncMessage())));
    expect(first.status).toBe(200);
    const limited = await send(ndjson([syncMessage()]));
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { code: 'rate_limited' } });
    expect((limited.body.error as { message: string }).message).toContain('CT_INGEST_RATE_EVENTS_PER_S');
    const retry = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retry) && retry >= 1 && retry <= 55).toBe(true);
    const otlp = await sendSpans([span(1)]);
    expect(otlp.status).toBe(429);
    expect(otlp.headers.get('retry-after')).not.toBeNull();
    expect(await countOf('events')).toBe(60);
    // Retry-After is enough: at that time the same token is admitted again.
    expect(() => admitIngest({ kind: 'ingest_token' }, Date.now() + retry * 1000)).not.toThrow();
    process.env.CT_INGEST_RATE_EVENTS_PER_S = '0'; // off
    for (let i = 0; i < 3; i++) expect((await send(ndjson(Array.from({ length: 100 }, () => syncMessage())))).status).toBe(200);
  });

  it('CT_WAREHOUSES: an event for another warehouse is rejected naming warehouse_id; the good line is kept', async () => {
    process.env.CT_WAREHOUSES = 'DC-ATL, DC-DAL';
    const good = syncMessage({ warehouse_id: 'DC-DAL' });
    const evil = syncMessage({ warehouse_id: 'DC-EVIL' });
    const r = await send(ndjson([good, evil]));
    expect(r.status).toBe(207);
    expect(r.body).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: 1,
      errors: [{ line: 2, event_id: evil.event_id, reason: 'warehouse_id: "DC-EVIL" is not an allowed warehouse (CT_WAREHOUSES)' }],
    });
    expect(await countOf('events')).toBe(1);
    delete process.env.CT_WAREHOUSES;
    expect((await send(ndjson([syncMessage({ warehouse_id: 'DC-EVIL' })]))).status).toBe(200);
  });
});
