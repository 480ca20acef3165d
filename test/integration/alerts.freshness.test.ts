import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestLines } from '@/ingest/pipeline';
import { alertBody, alertsOverview, deliveriesIdle, evaluateOnce, resetAlertEngine } from '@/lib/alerts';
import { businessEvent, syncMessage } from '../helpers/fixtures';
import { useTestStore } from '../helpers/store';
import { startReceiver, type Received } from './alerts.receiver';

useTestStore();

const S = 1000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * DAY;
const SECRET = 'fresh-secret';

const RULES = [
  {
    id: 'edi-silent', kind: 'freshness', event_type: 'sync.message', max_silence_s: 1800,
    group_by: ['source_system', 'warehouse_id'], match: { source_system: ['EDI', 'WMS'] }, severity: 'critical', notify: ['ops'],
  },
];

/** A sync.message ingested at `ingestAt`; its business times lie days earlier: only ingest time counts. */
const msg = (wh: string, source: string, ingestAt: number) =>
  syncMessage({ warehouse_id: wh, source_system: source, occurred_at: iso(ingestAt - 3 * DAY - S), observed_at: iso(ingestAt - 3 * DAY) });
const ingest = (evs: Record<string, unknown>[], now: number) => ingestLines(evs.map((value, i) => ({ line: i + 1, raw: '', value })), now);

let rx: Awaited<ReturnType<typeof startReceiver>>;
let dir = '';

beforeAll(async () => {
  rx = await startReceiver();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-fresh-'));
  fs.writeFileSync(path.join(dir, 'rules.json'), JSON.stringify(RULES));
  Object.assign(process.env, {
    CT_ALERTS_FILE: path.join(dir, 'rules.json'),
    CT_WEBHOOKS: JSON.stringify({ ops: { url: `${rx.url}/hook`, secret: SECRET } }),
    CT_WEBHOOK_BACKOFF_MS: '10',
    CT_DASHBOARD_URL: 'https://tower.example',
  });
  await resetAlertEngine();
  await ingest([msg('DC-A', 'EDI', T0), msg('DC-A', 'WMS', T0), msg('DC-B', 'EDI', T0), msg('DC-C', 'TMS', T0)], T0);
  // Last heard from more than 7 days ago: not a feed that went silent, one that is gone.
  await ingest([msg('DC-OLD', 'EDI', T0 - 8 * DAY)], T0 - 8 * DAY);
});

afterAll(async () => {
  await resetAlertEngine();
  await rx.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cycle(now: number): Promise<Received[]> {
  const before = rx.received.length;
  await evaluateOnce(now);
  await deliveriesIdle();
  return rx.received.slice(before);
}
const label = (r: Received) => {
  const g = r.body.group as Record<string, string>;
  return `${String(r.body.status)} ${g.warehouse_id}/${g.source_system}`;
};

describe('freshness rules', () => {
  it('a silent feed fires (counted by ingest time) and resolves when data arrives', async () => {
    expect(await cycle(T0 + 600 * S)).toHaveLength(0);
    // DC-A/WMS keeps talking; DC-B/EDI only sends another event type, which does not count.
    await ingest([msg('DC-A', 'WMS', T0 + 1500 * S)], T0 + 1500 * S);
    await ingest([businessEvent('order.created', { warehouse_id: 'DC-B', source_system: 'EDI', occurred_at: iso(T0 + 1800 * S) })], T0 + 1900 * S);

    const fired = await cycle(T0 + 2000 * S);
    expect(fired.map(label).sort()).toEqual(['firing DC-A/EDI', 'firing DC-B/EDI']);
    for (const r of fired) {
      expect(r.headers['x-tower-signature']).toBe(`sha256=${crypto.createHmac('sha256', SECRET).update(r.raw).digest('hex')}`);
      const g = r.body.group as Record<string, string>;
      expect(Object.keys(g)).toEqual(['warehouse_id', 'source_system']);
      expect(alertBody.parse(r.body)).toMatchObject({
        rule_id: 'edi-silent', severity: 'critical', metric: 'silence_seconds', value: 2000, threshold: 1800,
        started_at: iso(T0 + 2000 * S), ended_at: null,
        dashboard_url: `https://tower.example/sync?warehouse=${g.warehouse_id}&source_system=EDI`,
      });
    }
    expect(await cycle(T0 + 2100 * S)).toHaveLength(0);

    await ingest([msg('DC-A', 'EDI', T0 + 2200 * S)], T0 + 2200 * S);
    const resolved = await cycle(T0 + 2300 * S);
    expect(resolved.map(label)).toEqual(['resolved DC-A/EDI']);
    expect(alertBody.parse(resolved[0]!.body)).toMatchObject({ value: 100, started_at: iso(T0 + 2000 * S), ended_at: iso(T0 + 2300 * S) });
    expect(await cycle(T0 + 2400 * S)).toHaveLength(0);
  });

  it('a firing feed stays firing past the 7-day horizon, silent and still counting, until data arrives', async () => {
    // DC-B/EDI last spoke at T0 and fired at T0 + 2000 s; its last event is now older than 7 days.
    expect(await cycle(T0 + 8 * DAY)).toHaveLength(0);
    const { active } = await alertsOverview({ warehouses: null }, T0 + 8 * DAY);
    const b = active.find((a) => a.group.warehouse_id === 'DC-B');
    expect(b).toMatchObject({ status: 'firing', metric: 'silence_seconds', started_at: iso(T0 + 2000 * S) });
    expect(b!.value).toBeCloseTo((8 * DAY) / 1000, 3);
    await ingest([msg('DC-B', 'EDI', T0 + 8 * DAY + 60 * S)], T0 + 8 * DAY + 60 * S);
    const resolved = await cycle(T0 + 8 * DAY + 120 * S);
    expect(resolved.map(label)).toEqual(['resolved DC-B/EDI']);
    expect(resolved[0]!.body).toMatchObject({ value: 60, ended_at: iso(T0 + 8 * DAY + 120 * S) });
  });

  it('a feed silent for longer than 7 days, and a source outside match, never fire', async () => {
    const all = rx.received.map(label);
    expect(all.some((l) => l.includes('DC-OLD') || l.includes('DC-C'))).toBe(false);
  });
});
