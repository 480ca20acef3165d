import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestLines } from '@/ingest/pipeline';
import { alertBody, resetAlertEngine } from '@/lib/alerts';
import { serverState } from '@/lib/server/state';
import { startup } from '@/lib/server/startup';
import { syncMessage } from '../helpers/fixtures';
import { useTestStore } from '../helpers/store';
import { startReceiver } from './alerts.receiver';

/** The server start (lib/server/startup.ts) with alerts wired in: refused on a bad file, evaluating on a good one. */
useTestStore();

const iso = (ms: number) => new Date(ms).toISOString();
const LAG = { id: 'lag-p95', kind: 'threshold', metric: 'sync_lag_p95', op: '>', value: 300, window_s: 900, severity: 'high' };
let dir = '';
let rx: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-alerts-start-'));
  rx = await startReceiver();
});
afterAll(async () => {
  await resetAlertEngine();
  await rx.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('server start', () => {
  it('an invalid rules file stops the start (exit 1) naming the rule and field, before the store is touched', async () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify([{ ...LAG, group_by: ['warehouse_id'] }, { ...LAG, id: 'lag-typo', windw_s: 60 }]));
    const dataDir = path.join(dir, 'never-created');
    // The real Node half of instrumentation.ts, in its own process: it must exit, not hang.
    const run = promisify(execFile);
    const r = await run(process.execPath, ['node_modules/.bin/tsx', '-e', "import('./lib/server/register-node.ts').then((m) => m.registerNode())"], {
      env: { ...process.env, CT_DATA_DIR: dataDir, CT_ALERTS_FILE: file, CT_DEMO: '0', CT_WEBHOOKS: '' },
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[tower] startup failed: CT_ALERTS_FILE: rule "lag-typo" (index 1): windw_s: unknown field');
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('a valid file: startup evaluates on a schedule and the webhook hears the breach', async () => {
    const file = path.join(dir, 'good.json');
    fs.writeFileSync(file, JSON.stringify([{ ...LAG, group_by: ['warehouse_id'], notify: ['ops'] }]));
    Object.assign(process.env, {
      CT_ALERTS_FILE: file,
      CT_WEBHOOKS: JSON.stringify({ ops: { url: `${rx.url}/ops`, secret: 's' } }),
      CT_DEMO: '0',
      CT_ALERT_INTERVAL_S: '1',
    });
    const now = Date.now();
    const evs = Array.from({ length: 5 }, (_, i) =>
      syncMessage({ warehouse_id: 'DC-START', observed_at: iso(now - (30 + i) * 1000), occurred_at: iso(now - (1200 + i) * 1000) }),
    );
    await ingestLines(evs.map((value, i) => ({ line: i + 1, raw: '', value })), now);

    await startup();
    expect(serverState().ready).toBe(true);
    await expect.poll(() => rx.received.length, { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
    expect(alertBody.parse(rx.received[0]!.body)).toMatchObject({ status: 'firing', rule_id: 'lag-p95', group: { warehouse_id: 'DC-START' } });
    // Further scheduled cycles do not repeat it.
    await new Promise((r) => setTimeout(r, 2500));
    expect(rx.received.filter((x) => x.body.status === 'firing')).toHaveLength(1);
  });
});
