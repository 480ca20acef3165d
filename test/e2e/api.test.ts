import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';

const base = inject('baseUrl');
const auth = { authorization: `Bearer ${inject('apiToken')}` };
const getJson = async (p: string) => {
  const res = await fetch(base + p, { headers: auth });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('npm start on demo data', () => {
  it('serves plausible, non-empty KPIs from the seeded month', async () => {
    const lag = await getJson('/api/v1/kpi/sync-lag?from=' + new Date(Date.now() - 30 * 86_400_000).toISOString());
    expect(lag.status).toBe(200);
    const warehouses = lag.body.warehouses as { warehouse_id: string; messages: number }[];
    expect(warehouses.length).toBeGreaterThanOrEqual(8);
    expect((lag.body.total as { messages: number }).messages).toBeGreaterThan(1000);
  });

  it('every KPI endpoint returns plausible, non-empty results on the demo month', async () => {
    const now = Date.now();
    const month = `from=${new Date(now - 30 * 86_400_000).toISOString()}&to=${new Date(now).toISOString()}`;
    type Row = Record<string, unknown>;
    const total = async (p: string) => {
      const r = await getJson(p);
      expect(r.status, p).toBe(200);
      return r.body;
    };
    const aging = await total('/api/v1/kpi/exception-aging');
    expect((aging.total as { open: number }).open).toBeGreaterThan(10);
    const inv = await total(`/api/v1/kpi/invoice-latency?${month}`);
    expect((inv.total as { invoices: number }).invoices).toBeGreaterThan(1000);
    expect((inv.total as { unposted: { count: number } }).unposted.count).toBeGreaterThan(0);
    const drift = await total('/api/v1/kpi/drift');
    expect((drift.total as { skus_compared: number }).skus_compared).toBeGreaterThan(100);
    expect((drift.total as { drift_value: number }).drift_value).toBeGreaterThan(0);
    const close = await total('/api/v1/kpi/close-readiness');
    const statuses = (close.warehouses as Row[]).map((w) => w.status);
    expect(statuses).toContain('blocked');
    const summary = await total(`/api/v1/kpi/summary?${month}`);
    expect((summary.kpis as Row[]).map((k) => k.key)).toHaveLength(8);
    // The demo month leaves overdue transactions at several stages (metrics.md §8), listable oldest first.
    const flow = (await total('/api/v1/kpi/flow')) as { workflows: { workflow: string; stages: { stage: string; total: { overdue: number } }[] }[] };
    const overdueStages = flow.workflows.flatMap((w) => w.stages.filter((s) => s.total.overdue > 0).map((s) => `${w.workflow} ${s.stage}`));
    expect(overdueStages.length).toBeGreaterThanOrEqual(4);
    const waiting = await total('/api/v1/kpi/flow/waiting?workflow=order_to_cash&stage=shipment.confirmed&overdue=true');
    expect((waiting.items as Row[]).length).toBeGreaterThan(0);
    expect(summary.worst_warehouses as Row[]).toHaveLength(3);
    const series = await total(`/api/v1/kpi/sync-lag/series?${month}`);
    expect((series.total as { messages: number }[]).reduce((a, b) => a + b.messages, 0)).toBeGreaterThan(1000);
    const breakdown = await total(`/api/v1/kpi/sync-lag/breakdown?${month}`);
    expect((breakdown.routes as Row[]).length).toBeGreaterThan(3);
    const skus = await total('/api/v1/kpi/drift/skus');
    expect((skus.items as Row[]).length).toBeGreaterThan(0);
    const unposted = await total('/api/v1/kpi/invoice-latency/unposted');
    const first = (unposted.items as { correlation_id: string }[])[0]!;
    const drill = await total(`/api/v1/correlations/${encodeURIComponent(first.correlation_id)}`);
    expect((drill.events as Row[]).length).toBeGreaterThan(1);
    expect(drill.missing_stages).toContain('invoice.posted');
    const search = await total(`/api/v1/search?q=${encodeURIComponent(first.correlation_id)}`);
    expect((search.results as Row[]).length).toBeGreaterThan(0);
    const exceptions = await total('/api/v1/exceptions?status=open');
    expect((exceptions.items as Row[]).length).toBeGreaterThan(10);
    const health = await total(`/api/v1/pipeline/health?${month}`);
    expect((health.rows as Row[]).length).toBeGreaterThan(5);
    expect((await getJson('/api/v1/rejected')).status).toBe(200);
  });

  it('answers security headers and JSON errors', async () => {
    const res = await fetch(`${base}/api/v1/kpi/sync-lag`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBeTruthy();
  });

  it('serves its icon to signed-out visitors (no 404, no redirect to the sign-in page)', async () => {
    for (const [p, type] of [['/favicon.ico', /^image\//], ['/icon.svg', /^image\/svg\+xml/]] as const) {
      const res = await fetch(base + p, { redirect: 'manual' });
      expect(res.status, p).toBe(200);
      expect(res.headers.get('content-type') ?? '', p).toMatch(type);
      expect((await res.arrayBuffer()).byteLength, p).toBeGreaterThan(100);
    }
    const login = await (await fetch(`${base}/login`)).text();
    expect(login).toMatch(/<link rel="icon" href="\/icon\.svg/);
  });

  it('npm run ingest goes through the running server (it owns the embedded store)', async () => {
    const file = path.join(inject('dataDir'), 'cli-e2e.ndjson');
    const ev = (i: number) =>
      JSON.stringify({
        event_id: `cli-e2e-${i}`,
        type: 'sync.message',
        occurred_at: '2026-10-14T09:00:00Z',
        observed_at: '2026-10-14T09:00:05Z',
        source_system: 'EDI',
        target_system: 'ERP',
        warehouse_id: 'DC-CLI',
        correlation_id: `CLI-${i}`,
        attributes: { status: 'delivered' },
      });
    fs.writeFileSync(file, [ev(1), ev(2), '{"bad": true}', ev(1)].join('\n') + '\n');
    const run = promisify(execFile);
    const r = await run(process.execPath, ['node_modules/.bin/tsx', 'ingest/cli.ts', file], {
      env: { ...process.env, CT_DATA_DIR: inject('dataDir'), CT_INGEST_TOKEN: inject('ingestToken') },
    }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect('code' in r ? r.code : 0).toBe(1); // one line was rejected
    expect(r.stderr).toContain("sending through the server's API");
    expect(r.stderr).toMatch(/:3: /);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({ accepted: 2, duplicates: 1, rejected: 1 });
    const lag = await getJson('/api/v1/kpi/sync-lag?from=2026-10-14&to=2026-10-15&warehouse=DC-CLI');
    expect((lag.body.total as { messages: number }).messages).toBe(2);
  });
});
