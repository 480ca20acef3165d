import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/v1/kpi/sync-lag/route';
import { ingestLines } from '@/ingest/pipeline';
import { syncLagResponse } from '@/lib/kpi/sync-lag';
import { syncMessage } from '../helpers/fixtures';
import { ctx, get, INGEST } from '../helpers/http';
import { expectQuantile } from '../helpers/quantile';
import { useTestStore } from '../helpers/store';

useTestStore();

const T0 = Date.parse('2026-10-14T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const WH = ['DC-ATL', `DC-"Q'uoted"`, 'Lager-Köln-Ü'] as const;

/** A deterministic fixture; the expectations below are computed from this list, not from the code. */
const fixture: Record<string, unknown>[] = [];
for (let i = 0; i < 120; i++) {
  const wh = WH[i % 3]!;
  const status = i % 17 === 0 ? 'failed' : i % 23 === 0 ? 'dead_lettered' : i % 11 === 0 ? 'retried' : 'delivered';
  const lagMs = ((i * 7919) % 600_000) + 250; // up to ~10 min, some above the 300 s SLO
  const occurred = T0 + i * 60_000;
  fixture.push(syncMessage({ event_id: `lag-${i}`, warehouse_id: wh, occurred_at: iso(occurred), observed_at: iso(occurred + lagMs) }, { status }));
}
// Outside the window (observed on the next day) and an invalid one: neither may count.
fixture.push(syncMessage({ event_id: 'late', occurred_at: iso(T0 + 86_000_000), observed_at: iso(T0 + 86_400_000) }));

type Msg = { wh: string; status: string; lag: number; observed: number };
const msgs: Msg[] = fixture.map((e) => ({
  wh: e.warehouse_id as string,
  status: (e.attributes as { status: string }).status,
  lag: (Date.parse(e.observed_at as string) - Date.parse(e.occurred_at as string)) / 1000,
  observed: Date.parse(e.observed_at as string),
}));
const inWindow = (m: Msg) => m.observed >= T0 && m.observed < T0 + 86_400_000;

beforeAll(async () => {
  const lines = fixture.map((value, i) => ({ line: i + 1, raw: '', value }));
  await ingestLines(lines, Date.parse('2026-11-01T00:00:00Z'));
  // The same events again in a later batch: duplicates must not count.
  await ingestLines(lines.slice(0, 50), Date.parse('2026-11-01T00:00:00Z'));
});

async function call(qs: string, headers?: Record<string, string>) {
  const res = await GET(get(`/api/v1/kpi/sync-lag?${qs}`, headers), ctx());
  return { status: res.status, body: (await res.json()) as unknown };
}

function expected(pop: Msg[]) {
  const delivered = pop.filter((m) => m.status === 'delivered');
  const count = (s: string) => pop.filter((m) => m.status === s).length;
  return {
    messages: pop.length,
    delivered: delivered.length,
    failed: count('failed'),
    retried: count('retried'),
    dead_lettered: count('dead_lettered'),
    failure_rate: pop.length ? (count('failed') + count('dead_lettered')) / pop.length : 0,
    slo_breach_rate: delivered.length ? delivered.filter((m) => m.lag > 300).length / delivered.length : 0,
    lags: delivered.map((m) => m.lag),
  };
}

describe('GET /api/v1/kpi/sync-lag', () => {
  it('matches the fixture per warehouse and in total (quantiles within tolerance)', async () => {
    const r = await call('from=2026-10-14&to=2026-10-15');
    expect(r.status).toBe(200);
    const body = syncLagResponse.parse(r.body);
    expect(body.from).toBe('2026-10-14T00:00:00.000Z');
    expect(body.warehouses.map((w) => w.warehouse_id)).toEqual([...WH].sort());
    const groups: [string | null, Msg[]][] = [[null, msgs.filter(inWindow)], ...WH.map((w) => [w, msgs.filter((m) => inWindow(m) && m.wh === w)] as [string, Msg[]])];
    for (const [wh, pop] of groups) {
      const got = wh === null ? body.total : body.warehouses.find((w) => w.warehouse_id === wh)!;
      const e = expected(pop);
      expect(got).toMatchObject({ messages: e.messages, delivered: e.delivered, failed: e.failed, retried: e.retried, dead_lettered: e.dead_lettered });
      expect(got.failure_rate).toBeCloseTo(e.failure_rate, 12);
      expect(got.slo_breach_rate).toBeCloseTo(e.slo_breach_rate, 12);
      expectQuantile(got.lag_seconds.p50, e.lags, 0.5);
      expectQuantile(got.lag_seconds.p95, e.lags, 0.95);
      expectQuantile(got.lag_seconds.p99, e.lags, 0.99);
      expect(got.lag_seconds.max).toBe(Math.max(...e.lags));
    }
  });

  it('an empty window gives zero counts and null quantiles, rows still listed', async () => {
    const body = syncLagResponse.parse((await call('from=2020-01-01&to=2020-01-02')).body);
    expect(body.total).toEqual({
      messages: 0, delivered: 0, failed: 0, retried: 0, dead_lettered: 0, failure_rate: 0, slo_breach_rate: 0,
      lag_seconds: { p50: null, p95: null, p99: null, max: null },
    });
    expect(body.warehouses).toHaveLength(WH.length);
  });

  it('repeatable warehouse filters list exactly the requested warehouses, hostile ids included', async () => {
    const qs = `from=2026-10-14&to=2026-10-15&warehouse=${encodeURIComponent(WH[1])}&warehouse=NO-DATA`;
    const body = syncLagResponse.parse((await call(qs)).body);
    expect(body.warehouses.map((w) => w.warehouse_id)).toEqual(['NO-DATA', WH[1]].sort());
    expect(body.total.messages).toBe(expected(msgs.filter((m) => inWindow(m) && m.wh === WH[1])).messages);
  });

  it('400 for bad times, 401 without a token, 403 for the ingest token', async () => {
    expect((await call('from=yesterday')).status).toBe(400);
    expect((await call('from=2026-10-15&to=2026-10-14')).status).toBe(400);
    expect((await call('from=2026-10-14T00:00:00')).status).toBe(400);
    expect((await call('from=2026-10-14T02:00:00 02:00&to=2026-10-15')).status).toBe(200);
    expect((await call('', {})).status).toBe(401);
    expect((await call('', INGEST)).status).toBe(403);
  });
});
