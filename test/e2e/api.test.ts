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

  it('answers security headers and JSON errors', async () => {
    const res = await fetch(`${base}/api/v1/kpi/sync-lag`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
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
