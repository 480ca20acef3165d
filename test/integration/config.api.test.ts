import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/v1/config/route';
import { configResponse } from '@/lib/config/slo';
import { ctx, get, INGEST } from '../helpers/http';
import { sessionCookie, useUsers } from '../helpers/session';

/** GET /api/v1/config (extension): the SLOs and summary thresholds the API itself uses, for the dashboard. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-config-api-'));
const before = process.env.CT_CONFIG_FILE;
afterEach(() => {
  if (before === undefined) delete process.env.CT_CONFIG_FILE;
  else process.env.CT_CONFIG_FILE = before;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const read = async (headers?: Record<string, string>) => {
  const res = await GET(get('/api/v1/config', headers), ctx());
  return { status: res.status, body: (await res.json()) as unknown };
};

describe('GET /api/v1/config', () => {
  it('without CT_CONFIG_FILE: the metrics.md defaults', async () => {
    delete process.env.CT_CONFIG_FILE;
    const r = await read();
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      slo: { sync_lag_seconds: 300, posting_seconds: 172_800 },
      summary: {
        sync_lag_p95: { warn: 300, breach: 900 },
        failure_rate: { warn: 0.01, breach: 0.05 },
        open_exceptions_critical: { warn: 1, breach: 5 },
        invoice_latency_p95: { warn: 86_400, breach: 172_800 },
        drift_value: { warn: 0.01, breach: 10_000 },
        transactions_overdue: { warn: 1, breach: 100 },
      },
      flow_slo_seconds: {
        order_to_cash: { 'order.created': 86_400, 'pick.confirmed': 86_400, 'shipment.confirmed': 172_800, 'invoice.posted': 3_888_000 },
        procure_to_pay: { 'receipt.posted': 604_800, 'invoice.posted': 3_888_000 },
        return_to_credit: { 'return.received': 604_800 },
        inventory: { 'transfer.shipped': 259_200 },
      },
    });
  });

  it('with CT_CONFIG_FILE: the configured values, defaults for the rest; any reading role may ask', async () => {
    const file = path.join(dir, 'slo.json');
    fs.writeFileSync(file, JSON.stringify({ slo: { sync_lag_seconds: 240, posting_seconds: 36 * 3600 }, summary: { drift_value: { warn: 5, breach: 500 } } }));
    process.env.CT_CONFIG_FILE = file;
    const r = await read();
    expect(r.status).toBe(200);
    const body = configResponse.parse(r.body);
    expect(body.slo).toEqual({ sync_lag_seconds: 240, posting_seconds: 129_600 });
    expect(body.summary.drift_value).toEqual({ warn: 5, breach: 500 });
    expect(body.summary.failure_rate).toEqual({ warn: 0.01, breach: 0.05 });

    useUsers([{ email: 'fin@t.local', role: 'finance', warehouses: ['DC-MINE'] }]);
    const scoped = await read({ cookie: await sessionCookie({ email: 'fin@t.local', role: 'finance', warehouses: ['DC-MINE'] }) });
    expect(scoped).toEqual(r);
    expect((await read(INGEST)).status).toBe(403);
    expect((await read({})).status).toBe(401);
  });
});
