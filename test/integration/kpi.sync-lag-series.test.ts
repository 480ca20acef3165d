import { beforeAll, describe, expect, it } from 'vitest';
import { GET as breakdownGET } from '@/app/api/v1/kpi/sync-lag/breakdown/route';
import { GET as seriesGET } from '@/app/api/v1/kpi/sync-lag/series/route';
import { ingestLines } from '@/ingest/pipeline';
import { syncLagBreakdownResponse, syncLagSeriesResponse } from '@/lib/kpi/sync-lag-series';
import { syncMessage } from '../helpers/fixtures';
import { ctx, get, INGEST } from '../helpers/http';
import { useTestStore } from '../helpers/store';

useTestStore();
const T0 = Date.parse('2026-10-14T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const H = 3_600_000;

// Messages observed at hours 1, 1, 5 (DC-A) and 5 (DC-B); one failed on the WMS→ERP/pick route.
const fixture = [
  syncMessage({ warehouse_id: 'DC-A', occurred_at: iso(T0 + H), observed_at: iso(T0 + H + 10_000) }, { interface: 'order_api' }),
  syncMessage({ warehouse_id: 'DC-A', occurred_at: iso(T0 + H + 60_000), observed_at: iso(T0 + H + 90_000) }, { interface: 'order_api' }),
  syncMessage({ warehouse_id: 'DC-A', occurred_at: iso(T0 + 5 * H), observed_at: iso(T0 + 5 * H + 1000) }, { status: 'failed' }),
  syncMessage({ warehouse_id: 'DC-B', source_system: 'ERP', target_system: 'TMS', occurred_at: iso(T0 + 5 * H), observed_at: iso(T0 + 5 * H + 4000) }, { interface: 'shipment_api' }),
];

beforeAll(async () => {
  await ingestLines(fixture.map((value, i) => ({ line: i + 1, raw: '', value })), Date.parse('2026-11-01T00:00:00Z'));
});

describe('sync lag series and breakdown', () => {
  it('zero-fills hourly buckets over a day, per warehouse and in total', async () => {
    const res = await seriesGET(get('/api/v1/kpi/sync-lag/series?from=2026-10-14&to=2026-10-15'), ctx());
    const body = syncLagSeriesResponse.parse(await res.json());
    expect(body.bucket_seconds).toBe(300); // 24 h / 5 min = 288 points ≤ 300
    expect(body.total).toHaveLength(288);
    const at = (pts: typeof body.total, ms: number) => pts.find((x) => x.t === iso(ms))!;
    expect(at(body.total, T0 + H)).toMatchObject({ messages: 2, delivered: 2, p99: 30 });
    expect(at(body.total, T0 + 5 * H)).toMatchObject({ messages: 2, delivered: 1, failed: 1, p50: 4 });
    expect(at(body.total, T0 + 2 * H)).toMatchObject({ messages: 0, p95: null });
    const a = body.warehouses.find((w) => w.warehouse_id === 'DC-A')!;
    expect(a.points).toHaveLength(288);
    expect(at(a.points, T0 + 5 * H)).toMatchObject({ messages: 1, failed: 1, delivered: 0, p50: null });
  });

  it('a week picks hourly buckets; a bad tz is 400', async () => {
    const res = await seriesGET(get('/api/v1/kpi/sync-lag/series?from=2026-10-10&to=2026-10-17&tz=Europe/Berlin'), ctx());
    const body = syncLagSeriesResponse.parse(await res.json());
    expect(body.bucket_seconds).toBe(3600);
    expect(body.total.reduce((s, x) => s + x.messages, 0)).toBe(4);
    expect((await seriesGET(get('/api/v1/kpi/sync-lag/series?tz=Mars/Olympus'), ctx())).status).toBe(400);
  });

  it('daily buckets in a zone start at local midnight', async () => {
    const res = await seriesGET(get('/api/v1/kpi/sync-lag/series?from=2026-09-01&to=2026-11-20&tz=America/New_York'), ctx());
    const body = syncLagSeriesResponse.parse(await res.json());
    expect(body.bucket_seconds).toBe(86_400);
    // New York is UTC−4 in October: 01:00Z is 21:00 on Oct 13 local, 05:00Z is 01:00 on Oct 14 local.
    expect(body.total.find((x) => x.t === '2026-10-13T04:00:00.000Z')?.messages).toBe(2);
    expect(body.total.find((x) => x.t === '2026-10-14T04:00:00.000Z')?.messages).toBe(2);
    // Across the DST change (Nov 1) local midnight moves to 05:00Z and buckets still line up.
    expect(body.total.some((x) => x.t === '2026-11-02T05:00:00.000Z')).toBe(true);
  });

  it('breaks down by route and interface', async () => {
    const res = await breakdownGET(get('/api/v1/kpi/sync-lag/breakdown?from=2026-10-14&to=2026-10-15'), ctx());
    const body = syncLagBreakdownResponse.parse(await res.json());
    expect(body.routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source_system: 'WMS', target_system: 'ERP', messages: 3, failed: 1, failure_rate: 1 / 3, max: 30 }),
        expect.objectContaining({ source_system: 'ERP', target_system: 'TMS', messages: 1, p95: 4 }),
      ]),
    );
    expect(body.interfaces).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ interface: 'order_api', messages: 2, delivered: 2 }),
        expect.objectContaining({ interface: 'pick_events', messages: 1, failed: 1, p95: null }),
      ]),
    );
  });

  it('401 / 403', async () => {
    expect((await seriesGET(get('/api/v1/kpi/sync-lag/series', {}), ctx())).status).toBe(401);
    expect((await breakdownGET(get('/api/v1/kpi/sync-lag/breakdown', INGEST), ctx())).status).toBe(403);
  });
});
