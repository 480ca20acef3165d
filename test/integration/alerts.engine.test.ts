import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as silencePOST } from '@/app/api/v1/alerts/[rule_id]/silence/route';
import { ingestLines } from '@/ingest/pipeline';
import { alertBody, deliveriesIdle, evaluateOnce, resetAlertEngine } from '@/lib/alerts';
import { appendLog } from '@/lib/alerts/state';
import { syncMessage } from '../helpers/fixtures';
import { ctx } from '../helpers/http';
import { expectQuantile } from '../helpers/quantile';
import { sessionCookie, useUsers } from '../helpers/session';
import { useTestStore } from '../helpers/store';
import { startReceiver, type Received } from './alerts.receiver';

useTestStore();

const S = 1000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
// Scenarios live a day apart, so a 900 s window of one never sees another's events.
const BASE = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 20 * DAY;
const at = (scenario: number, offsetS = 0) => BASE + scenario * DAY + offsetS * S;
const SECRET = 'hook-secret-ü';
const KEYS = ['status', 'rule_id', 'severity', 'group', 'metric', 'value', 'threshold', 'started_at', 'ended_at', 'dashboard_url'];

const lagRule = (id: string, warehouses: string[], extra: Record<string, unknown> = {}) => ({
  id, kind: 'threshold', metric: 'sync_lag_p95', op: '>', value: 300, window_s: 900,
  group_by: ['warehouse_id'], match: { warehouse_id: warehouses }, severity: 'high', notify: ['ops'], ...extra,
});
const RULES = [
  lagRule('lag-p95', ['DC-DAL', 'DC-ATL'], { match: { warehouse_id: ['DC-DAL', 'DC-ATL'], source_system: ['WMS'] } }),
  lagRule('lag-for', ['DC-FOR'], { for_s: 120 }),
  lagRule('lag-retry', ['DC-RETRY'], { notify: ['flaky'] }),
  lagRule('lag-rst', ['DC-RST']),
  lagRule('lag-sil', ['DC-SIL', 'DC-LOUD']),
  lagRule('lag-repeat', ['DC-REP'], { repeat_s: 300, notify: ['ops', 'second'] }),
];

type Msg = Record<string, unknown>;
/** `n` delivered messages observed in the minutes before `t`, lag `lagS + i` seconds. */
function messages(wh: string, t: number, n: number, lagS: number, source = 'WMS'): Msg[] {
  return Array.from({ length: n }, (_, i) => {
    const observed = t - 60 * S - i * 10 * S;
    return syncMessage({ warehouse_id: wh, source_system: source, observed_at: iso(observed), occurred_at: iso(observed - (lagS + i) * S) });
  });
}
const ingest = (evs: Msg[], now: number) => ingestLines(evs.map((value, i) => ({ line: i + 1, raw: '', value })), now);

let rx: Awaited<ReturnType<typeof startReceiver>>;
let dir = '';

beforeAll(async () => {
  rx = await startReceiver();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-alerts-'));
  fs.writeFileSync(path.join(dir, 'rules.json'), JSON.stringify(RULES));
  useUsers([{ email: 'admin@t.local', role: 'admin', warehouses: ['*'] }]);
  Object.assign(process.env, {
    CT_ALERTS_FILE: path.join(dir, 'rules.json'),
    CT_WEBHOOKS: JSON.stringify({ ops: { url: `${rx.url}/ops`, secret: SECRET }, flaky: { url: `${rx.url}/flaky` }, second: { url: `${rx.url}/second`, secret: 'other' } }),
    CT_WEBHOOK_BACKOFF_MS: '20',
    CT_DASHBOARD_URL: 'https://tower.example/',
  });
  await resetAlertEngine();
});

afterAll(async () => {
  await resetAlertEngine();
  await rx.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Evaluates, waits for every delivery, and returns what the receiver got for that rule since. */
async function cycle(now: number, ruleId: string): Promise<Received[]> {
  const before = rx.received.length;
  await evaluateOnce(now);
  await deliveriesIdle();
  return rx.received.slice(before).filter((r) => r.body.rule_id === ruleId);
}

function verified(r: Received) {
  const expected = `sha256=${crypto.createHmac('sha256', Buffer.from(SECRET, 'utf8')).update(r.raw).digest('hex')}`;
  expect(r.headers['x-tower-signature']).toBe(expected);
  expect(r.headers['content-type']).toBe('application/json');
  expect(Object.keys(r.body)).toEqual(KEYS);
  return alertBody.parse(r.body);
}

describe('threshold alerts', () => {
  it('a lag breach for one warehouse fires once, signed, naming it, and resolves once after leaving the window', async () => {
    const t = at(1);
    const dal = messages('DC-DAL', t, 20, 600);
    const erpNoise = messages('DC-DAL', t, 20, 5, 'ERP'); // not matched by source_system: must not dilute the p95
    await ingest([...dal, ...messages('DC-ATL', t, 20, 10), ...erpNoise], t);

    const fired = await cycle(t, 'lag-p95');
    expect(fired).toHaveLength(1);
    const body = verified(fired[0]!);
    expect(body).toMatchObject({
      status: 'firing', rule_id: 'lag-p95', severity: 'high', group: { warehouse_id: 'DC-DAL' }, metric: 'sync_lag_p95',
      threshold: 300, started_at: iso(t), ended_at: null, dashboard_url: 'https://tower.example/sync?warehouse=DC-DAL',
    });
    expectQuantile(body.value, dal.map((_, i) => 600 + i), 0.95);

    expect(await cycle(t + 60 * S, 'lag-p95')).toHaveLength(0);
    expect(await cycle(t + 300 * S, 'lag-p95')).toHaveLength(0);

    // At t + 1000 s the window [t + 100 s, t + 1000 s) holds none of the messages.
    const resolved = await cycle(t + 1000 * S, 'lag-p95');
    expect(resolved).toHaveLength(1);
    expect(verified(resolved[0]!)).toMatchObject({ status: 'resolved', group: { warehouse_id: 'DC-DAL' }, started_at: iso(t), ended_at: iso(t + 1000 * S), value: null });
    expect(await cycle(t + 2000 * S, 'lag-p95')).toHaveLength(0);
    expect(rx.received.filter((r) => r.body.rule_id === 'lag-p95' && (r.body.group as { warehouse_id: string }).warehouse_id === 'DC-ATL')).toHaveLength(0);
  });

  it('for_s delays firing until the breach has held that long', async () => {
    const t = at(2);
    await ingest(messages('DC-FOR', t, 10, 400), t);
    expect(await cycle(t, 'lag-for')).toHaveLength(0);
    expect(await cycle(t + 60 * S, 'lag-for')).toHaveLength(0);
    expect(await cycle(t + 119 * S, 'lag-for')).toHaveLength(0);
    const fired = await cycle(t + 120 * S, 'lag-for');
    expect(fired).toHaveLength(1);
    expect(verified(fired[0]!)).toMatchObject({ status: 'firing', group: { warehouse_id: 'DC-FOR' }, started_at: iso(t + 120 * S) });
    expect(await cycle(t + 180 * S, 'lag-for')).toHaveLength(0);
    expect((await cycle(t + 1200 * S, 'lag-for')).map((r) => r.body.status)).toEqual(['resolved']);
  });

  it('a receiver answering 500 twice then 200 gets the notification on the third try, same bytes each time', async () => {
    const t = at(3);
    rx.script('/flaky', [500, 500]);
    await ingest(messages('DC-RETRY', t, 10, 900), t);
    const got = await cycle(t, 'lag-retry');
    expect(got.map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(new Set(got.map((r) => r.raw.toString('hex'))).size).toBe(1);
    expect(got[0]!.headers['x-tower-signature']).toBeUndefined(); // no secret configured for this webhook
    expect(alertBody.parse(got[2]!.body)).toMatchObject({ status: 'firing', group: { warehouse_id: 'DC-RETRY' } });
    expect(await cycle(t + 2000 * S, 'lag-retry')).toHaveLength(1);
  });

  it('a restart while firing does not re-fire; a breach that ended while down sends one resolved', async () => {
    const t = at(4);
    await ingest(messages('DC-RST', t, 10, 700), t);
    expect((await cycle(t, 'lag-rst')).map((r) => r.body.status)).toEqual(['firing']);
    await resetAlertEngine();
    expect(await cycle(t + 60 * S, 'lag-rst')).toHaveLength(0);
    await resetAlertEngine();
    const after = await cycle(t + 1500 * S, 'lag-rst');
    expect(after.map((r) => r.body.status)).toEqual(['resolved']);
    expect(verified(after[0]!)).toMatchObject({ started_at: iso(t), ended_at: iso(t + 1500 * S) });
    await resetAlertEngine();
    expect(await cycle(t + 1600 * S, 'lag-rst')).toHaveLength(0);
  });

  it('a notification handed to a webhook but never delivered (process stopped) is delivered after the restart', async () => {
    const t = at(4, 3000);
    const body = JSON.stringify({ status: 'firing', rule_id: 'lag-rst', note: 'outbox' });
    await appendLog([{ at: t, id: 'outbox-1', kind: 'send', rule_id: 'lag-rst', group_key: '{"warehouse_id":"DC-X"}', warehouse_id: 'DC-X', status: 'firing', webhook: 'ops', attempts: 0, error: '', body }]);
    await resetAlertEngine();
    const got = await cycle(t, 'lag-rst');
    expect(got.map((r) => r.raw.toString('utf8'))).toEqual([body]);
    await resetAlertEngine();
    expect(await cycle(t + 60 * S, 'lag-rst')).toHaveLength(0);
  });

  it('with two webhooks each hears a change once; repeat_s resends the firing body with the current value', async () => {
    const t = at(7);
    await ingest([...messages('DC-REP', t, 10, 400), ...messages('DC-REP', t + 200 * S, 10, 1000)], t + 200 * S);
    const fired = await cycle(t, 'lag-repeat');
    expect(fired.map((r) => `${r.path} ${String(r.body.status)}`).sort()).toEqual(['/ops firing', '/second firing']);
    const second = fired.find((r) => r.path === '/second')!;
    expect(second.headers['x-tower-signature']).toBe(`sha256=${crypto.createHmac('sha256', 'other').update(second.raw).digest('hex')}`);
    expect(await cycle(t + 200 * S, 'lag-repeat')).toHaveLength(0);
    const repeated = await cycle(t + 300 * S, 'lag-repeat');
    expect(repeated.map((r) => r.path).sort()).toEqual(['/ops', '/second']);
    const body = verified(repeated.find((r) => r.path === '/ops')!);
    expect(body).toMatchObject({ status: 'firing', started_at: iso(t), ended_at: null });
    // The window now also holds the later, slower messages: the value moved, and the resend carries it.
    expect(body.value).toBeGreaterThan(alertBody.parse(fired[0]!.body).value!);
    expect(await cycle(t + 400 * S, 'lag-repeat')).toHaveLength(0);
    expect((await cycle(t + 600 * S, 'lag-repeat')).map((r) => r.path).sort()).toEqual(['/ops', '/second']);
    expect((await cycle(t + 3000 * S, 'lag-repeat')).map((r) => `${r.path} ${String(r.body.status)}`).sort()).toEqual(['/ops resolved', '/second resolved']);
  });
});

describe('silences', () => {
  async function silence(group: Record<string, string>, until: number) {
    const cookie = await sessionCookie({ email: 'admin@t.local', role: 'admin', warehouses: ['*'] });
    const req = new Request('http://localhost/api/v1/alerts/lag-sil/silence', {
      method: 'POST',
      headers: { cookie, origin: 'http://localhost', host: 'localhost', 'content-type': 'application/json' },
      body: JSON.stringify({ group, until: iso(until) }),
    });
    const res = await silencePOST(req, ctx({ rule_id: 'lag-sil' }));
    expect(res.status).toBe(200);
  }
  const whOf = (r: Received) => (r.body.group as { warehouse_id: string }).warehouse_id;

  it('a silenced group sends nothing while the others do', async () => {
    const t = at(5);
    await silence({ warehouse_id: 'DC-SIL' }, t + 1500 * S);
    await ingest([...messages('DC-SIL', t, 10, 800), ...messages('DC-LOUD', t, 10, 800)], t);
    expect((await cycle(t, 'lag-sil')).map(whOf)).toEqual(['DC-LOUD']);
    expect((await cycle(t + 1000 * S, 'lag-sil')).map((r) => `${whOf(r)} ${String(r.body.status)}`)).toEqual(['DC-LOUD resolved']);
    // The silence ends with the group resolved, which is what receivers last heard (nothing): no message.
    expect(await cycle(t + 2000 * S, 'lag-sil')).toHaveLength(0);
  });

  it('when a silence ends, a state that differs from what receivers heard is sent once', async () => {
    const t = at(6);
    await silence({ warehouse_id: 'DC-SIL' }, t + 300 * S);
    await ingest(messages('DC-SIL', t, 10, 800), t);
    expect(await cycle(t, 'lag-sil')).toHaveLength(0);
    expect(await cycle(t + 200 * S, 'lag-sil')).toHaveLength(0);
    const after = await cycle(t + 400 * S, 'lag-sil');
    expect(after).toHaveLength(1);
    expect(verified(after[0]!)).toMatchObject({ status: 'firing', group: { warehouse_id: 'DC-SIL' }, started_at: iso(t) });
    expect(await cycle(t + 500 * S, 'lag-sil')).toHaveLength(0);
    expect((await cycle(t + 2000 * S, 'lag-sil')).map((r) => r.body.status)).toEqual(['resolved']);
  });
});
