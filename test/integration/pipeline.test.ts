import { beforeAll, describe, expect, it } from 'vitest';
import { GET as healthGet } from '@/app/api/v1/pipeline/health/route';
import { GET as rejectedGet } from '@/app/api/v1/rejected/route';
import { parseBody } from '@/ingest/parse';
import { ingestLines } from '@/ingest/pipeline';
import type { IngestResult } from '@/ingest/types';
import { can } from '@/lib/auth/roles';
import { pipelineHealth, pipelineHealthResponse } from '@/lib/queries/pipeline-health';
import { listRejected, rejectedResponse } from '@/lib/queries/rejected';
import { ctx, get, INGEST } from '../helpers/http';
import { expectQuantile } from '../helpers/quantile';
import { useTestStore } from '../helpers/store';

useTestStore();

const N1 = Date.parse('2026-11-01T00:00:00Z');
const N2 = N1 + 30 * 60_000;
const N3 = N1 + 2 * 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

type Good = { good: Record<string, unknown> & { event_id: string; source_system: string; type: string; warehouse_id: string; occurred_at: string } };
/** A line that must be rejected, labelled by hand with the feed it names and the reason key it must count under. */
type Bad = { bad: string; source: string; type: string; key: string; event_id: string | null };
type Line = Good | Bad;

const evt = (event_id: string, source_system: string, type: string, warehouse_id: string, occurredMs: number): Good => ({
  good: { event_id, type, occurred_at: iso(occurredMs), source_system, warehouse_id, correlation_id: `C-${event_id}`, attributes: {} },
});
const bad = (value: object | string, source: string, type: string, key: string, event_id: string | null = null): Bad => ({
  bad: typeof value === 'string' ? value : JSON.stringify(value), source, type, key, event_id,
});
const noWh = (id: string, now: number) => ({ event_id: id, type: 'order.created', occurred_at: iso(now - 1000), source_system: 'ERP', correlation_id: 'C' });

const batches: [number, Line[]][] = [
  [N1, [
    evt('A1', 'ERP', 'order.created', 'DC-A', N1 - 600_000),
    evt('A2', 'ERP', 'order.created', 'DC-A', N1 - 7_200_000),
    evt('A3', 'ERP', 'order.created', 'DC-B', N1 - 86_400_000),
    evt('W1', 'WMS', 'pick.confirmed', 'DC-A', N1 - 300_000),
    evt('W2', 'WMS', 'pick.confirmed', 'DC-B', N1 - 50_000),
    evt('W1', 'WMS', 'pick.confirmed', 'DC-A', N1 - 1), // duplicate inside the batch
    bad('{not json', '', '', 'invalid_json'),
    bad('[1,2]', '', '', 'not_an_object'),
    bad(noWh('R1', N1), 'ERP', 'order.created', 'warehouse_id', 'R1'),
    bad({ ...noWh('R2', N1), type: 'nope', warehouse_id: 'DC-A' }, 'ERP', 'nope', 'type', 'R2'),
    bad(noWh('R3', N1), 'ERP', 'order.created', 'warehouse_id', 'R3'),
  ]],
  [N2, [
    evt('A1', 'ERP', 'order.created', 'DC-A', N1), // stored in batch 1: duplicate
    evt('W2', 'WMS', 'pick.confirmed', 'DC-B', N1),
    evt('I1', 'ERP', 'invoice.posted', 'DC-A', N2 - 10_800_000),
    evt('I2', 'ERP', 'invoice.posted', 'DC-B', N2 - 60_000),
    evt('T1', 'TMS', 'shipment.confirmed', 'DC-A', N2 - 1_234),
    bad({ ...noWh('R4', N2), type: 'invoice.posted', warehouse_id: 'DC-A', occurred_at: '2026-10-31T10:00:00' }, 'ERP', 'invoice.posted', 'occurred_at', 'R4'),
    bad('{"source_system":"TMS",', '', '', 'invalid_json'),
  ]],
  [N3, [evt('A4', 'ERP', 'order.created', 'DC-A', N3 - 1000), evt('A2', 'ERP', 'order.created', 'DC-A', N3), bad('nope', '', '', 'invalid_json')]],
];

const results: IngestResult[] = [];

beforeAll(async () => {
  for (const [now, lines] of batches) {
    const body = lines.map((l) => ('good' in l ? JSON.stringify(l.good) : l.bad)).join('\n');
    results.push(await ingestLines(parseBody(Buffer.from(body, 'utf8'), 'application/x-ndjson'), now));
  }
});

// ---- expectations from the fixture ----
type Outcome = { batch: number; now: number; line: number; l: Line; dup: boolean };
const outcomes: Outcome[] = [];
{
  const seen = new Set<string>();
  batches.forEach(([now, lines], batch) =>
    lines.forEach((l, i) => {
      const dup = 'good' in l && seen.has(l.good.event_id);
      if ('good' in l) seen.add(l.good.event_id);
      outcomes.push({ batch, now, line: i + 1, l, dup });
    }),
  );
}

function expectedRows(from: number, to: number, warehouses: string[] | null) {
  const rows = new Map<string, { source_system: string; type: string; accepted: number; duplicates: number; rejected: number; rejected_by_reason: Record<string, number>; delays: number[] }>();
  const row = (s: string, t: string) => {
    const k = JSON.stringify([s, t]);
    if (!rows.has(k)) rows.set(k, { source_system: s, type: t, accepted: 0, duplicates: 0, rejected: 0, rejected_by_reason: {}, delays: [] });
    return rows.get(k)!;
  };
  for (const o of outcomes.filter((x) => x.now >= from && x.now < to)) {
    if ('good' in o.l) {
      const g = o.l.good;
      if (warehouses !== null && (o.dup || !warehouses.includes(g.warehouse_id))) continue;
      const r = row(g.source_system, g.type);
      if (o.dup) r.duplicates++;
      else {
        r.accepted++;
        r.delays.push((o.now - Date.parse(g.occurred_at)) / 1000);
      }
    } else if (warehouses === null) {
      const r = row(o.l.source, o.l.type);
      r.rejected++;
      r.rejected_by_reason[o.l.key] = (r.rejected_by_reason[o.l.key] ?? 0) + 1;
    }
  }
  return [...rows.values()].sort((a, b) => (a.source_system + '\u0000' + a.type < b.source_system + '\u0000' + b.type ? -1 : 1));
}

function checkHealth(body: unknown, from: number, to: number, warehouses: string[] | null) {
  const got = pipelineHealthResponse.parse(body);
  expect(got.from).toBe(iso(from));
  expect(got.to).toBe(iso(to));
  const want = expectedRows(from, to, warehouses);
  expect(got.rows.map(({ ingest_delay_p95_seconds: _, ...r }) => r)).toEqual(want.map(({ delays: _, ...r }) => r));
  got.rows.forEach((r, i) => expectQuantile(r.ingest_delay_p95_seconds, want[i]!.delays, 0.95));
}

const healthCall = async (qs: string, headers?: Record<string, string>) => {
  const res = await healthGet(get(`/api/v1/pipeline/health?${qs}`, headers), ctx());
  return { status: res.status, body: (await res.json()) as unknown };
};

describe('GET /api/v1/pipeline/health', () => {
  it('the ingest reports agree with the fixture labels', () => {
    const bads = (b: number) => outcomes.filter((o) => o.batch === b && 'bad' in o.l).map((o) => o.line);
    results.forEach((r, b) => expect(r.errors.map((e) => e.line)).toEqual(bads(b)));
  });

  it('counts accepted, duplicates, rejected by reason and delay p95 per source × type over ingest time', async () => {
    for (const [from, to] of [[N1, N1 + 86_400_000], [N2, N3], [N1 - 1, N3 + 1], [N1 + 1, N2]] as const) {
      const r = await healthCall(`from=${iso(from)}&to=${iso(to)}`);
      expect(r.status).toBe(200);
      checkHealth(r.body, from, to, null);
    }
    const one = pipelineHealthResponse.parse((await healthCall(`from=${iso(N1)}&to=${iso(N2 + 1)}`)).body);
    expect(one.rows.find((r) => r.source_system === '' && r.type === '')?.rejected_by_reason).toEqual({ invalid_json: 2, not_an_object: 1 });
    expect(one.rows.find((r) => r.source_system === 'WMS' && r.type === 'pick.confirmed')).toMatchObject({ accepted: 2, duplicates: 2 });
  });

  it('a caller limited to some warehouses gets counts from their events only, no duplicates or rejections', async () => {
    for (const wh of [['DC-A'], ['DC-B'], ['DC-Z']]) {
      checkHealth(await pipelineHealth({ warehouses: wh }, { from: N1, to: N3 + 1 }), N1, N3 + 1, wh);
    }
    checkHealth((await healthCall(`from=${iso(N1)}&to=${iso(N3 + 1)}&warehouse=DC-B`)).body, N1, N3 + 1, ['DC-B']);
  });

  it('400 for bad windows, 401 without a token, 403 for the ingest token and read-only roles', async () => {
    expect((await healthCall('from=yesterday')).status).toBe(400);
    expect((await healthCall(`from=${iso(N2)}&to=${iso(N1)}`)).status).toBe(400);
    expect((await healthCall('', {})).status).toBe(401);
    expect((await healthCall('', INGEST)).status).toBe(403);
    const user = (role: 'executive' | 'finance' | 'support' | 'admin') => ({ kind: 'user' as const, email: 'u@x', name: 'u', role, warehouses: '*' as const });
    expect([can(user('executive'), 'pipeline'), can(user('finance'), 'pipeline'), can(user('support'), 'pipeline'), can(user('admin'), 'pipeline')]).toEqual([false, false, true, true]);
  });
});

const rejectedCall = async (qs: string, headers?: Record<string, string>) => {
  const res = await rejectedGet(get(`/api/v1/rejected?${qs}`, headers), ctx());
  return { status: res.status, body: (await res.json()) as unknown };
};

function expectedItems(from: number, to: number) {
  return outcomes
    .filter((o) => 'bad' in o.l && o.now >= from && o.now < to)
    .sort((a, b) => b.now - a.now || b.line - a.line)
    .map((o) => {
      const l = o.l as Bad;
      const reason = results[o.batch]!.errors.find((e) => e.line === o.line)!.reason;
      return { ingested_at: iso(o.now), line: o.line, reason, raw: l.bad, event_id: l.event_id, batch: o.batch };
    });
}

describe('GET /api/v1/rejected', () => {
  it('lists rejected lines newest first with their raw text, and pages through an opaque cursor', async () => {
    const from = N1;
    const to = N3 + 1;
    const want = expectedItems(from, to);
    const all = rejectedResponse.parse((await rejectedCall(`from=${iso(from)}&to=${iso(to)}`)).body);
    expect(all.next_cursor).toBeNull();
    expect(all.items.map(({ batch_id: _, ...i }) => i)).toEqual(want.map(({ batch: _, ...i }) => i));
    // One batch id per batch, distinct across batches.
    const ids = new Map<number, string>();
    all.items.forEach((it, i) => {
      const b = want[i]!.batch;
      expect(ids.get(b) ?? it.batch_id).toBe(it.batch_id);
      ids.set(b, it.batch_id);
    });
    expect(new Set(ids.values()).size).toBe(batches.length);

    for (const limit of [1, 2, 3]) {
      const pages: unknown[] = [];
      let cursor: string | null = null;
      do {
        const qs: string = `from=${iso(from)}&to=${iso(to)}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = rejectedResponse.parse((await rejectedCall(qs)).body);
        expect(page.items.length).toBeLessThanOrEqual(limit);
        pages.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor !== null);
      expect(pages).toEqual(all.items);
    }
    const w = rejectedResponse.parse((await rejectedCall(`from=${iso(N2)}&to=${iso(N3)}`)).body);
    expect(w.items.map((i) => [i.ingested_at, i.line])).toEqual(expectedItems(N2, N3).map((i) => [i.ingested_at, i.line]));
  });

  it('a caller limited to some warehouses gets no items: rejected lines have no trusted warehouse', async () => {
    expect(await listRejected({ warehouses: ['DC-A'] }, { from: N1, to: N3 + 1, limit: 100, cursor: null })).toEqual({ items: [], next_cursor: null });
    expect(rejectedResponse.parse((await rejectedCall(`from=${iso(N1)}&to=${iso(N3 + 1)}&warehouse=DC-A`)).body).items).toEqual([]);
  });

  it('400 for bad limits and cursors, 401 without a token, 403 for the ingest token', async () => {
    for (const qs of ['limit=0', 'limit=1001', 'limit=abc', 'limit=1.5', 'cursor=%%%', 'cursor=bm9wZQ', 'limit=1&limit=2', 'from=x']) {
      expect((await rejectedCall(qs)).status, qs).toBe(400);
    }
    expect((await rejectedCall('limit=1000')).status).toBe(200);
    expect((await rejectedCall('', {})).status).toBe(401);
    expect((await rejectedCall('', INGEST)).status).toBe(403);
  });
});
