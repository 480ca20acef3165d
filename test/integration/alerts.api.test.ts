import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as silenceGET, POST as silencePOST } from '@/app/api/v1/alerts/[rule_id]/silence/route';
import { GET } from '@/app/api/v1/alerts/route';
import { ingestLines } from '@/ingest/pipeline';
import { alertsResponse, evaluateOnce, resetAlertEngine, silenceResult, type AlertsResponse } from '@/lib/alerts';
import { syncMessage } from '../helpers/fixtures';
import { API, ctx, get, INGEST } from '../helpers/http';
import { sessionCookie, useUsers, type TestUser } from '../helpers/session';
import { useTestStore } from '../helpers/store';

useTestStore();

const S = 1000;
const iso = (ms: number) => new Date(ms).toISOString();
const T = Math.floor(Date.now() / 60_000) * 60_000 - 2 * 3_600_000;
const T_OLD = T - 86_400_000;

const lag = { kind: 'threshold', metric: 'sync_lag_p95', op: '>', value: 300, window_s: 900, severity: 'high' };
const RULES = [
  { ...lag, id: 'lag-wh', group_by: ['warehouse_id'] },
  { ...lag, id: 'lag-global', severity: 'critical' },
  { ...lag, id: 'lag-src', group_by: ['warehouse_id', 'source_system'], severity: 'medium' },
];
const USERS: Record<string, TestUser> = {
  scoped: { email: 'scoped@t.local', role: 'support', warehouses: ['DC-MINE'] },
  admin: { email: 'admin@t.local', role: 'admin', warehouses: ['*'] },
  exec: { email: 'exec@t.local', role: 'executive', warehouses: ['*'] },
};
const cookies: Record<string, string> = {};

const breach = (wh: string, t: number) =>
  Array.from({ length: 5 }, (_, i) => syncMessage({ warehouse_id: wh, observed_at: iso(t - (60 + i) * S), occurred_at: iso(t - (660 + i) * S) }));
const ingest = (evs: Record<string, unknown>[], now: number) => ingestLines(evs.map((value, i) => ({ line: i + 1, raw: '', value })), now);
let dir = '';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-alerts-api-'));
  fs.writeFileSync(path.join(dir, 'rules.json'), JSON.stringify(RULES));
  useUsers(Object.values(USERS));
  for (const [k, u] of Object.entries(USERS)) cookies[k] = await sessionCookie(u);
  process.env.CT_ALERTS_FILE = path.join(dir, 'rules.json');
  delete process.env.CT_WEBHOOKS;
  await resetAlertEngine();
  // DC-GONE breached yesterday and recovered: history. DC-MINE and DC-OTHER breach now: active.
  await ingest(breach('DC-GONE', T_OLD), T_OLD);
  await evaluateOnce(T_OLD);
  await evaluateOnce(T_OLD + 1000 * S);
  await ingest([...breach('DC-MINE', T), ...breach('DC-OTHER', T)], T);
  await evaluateOnce(T);
});

afterAll(async () => {
  await resetAlertEngine();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function list(headers: Record<string, string>, qs = ''): Promise<{ status: number; body: unknown }> {
  const res = await GET(get(`/api/v1/alerts${qs}`, headers), ctx());
  return { status: res.status, body: await res.json() };
}
const groups = (items: { rule_id: string; group: Record<string, unknown> }[]) => items.map((i) => `${i.rule_id} ${JSON.stringify(i.group)}`).sort();

describe('GET /api/v1/alerts', () => {
  it('lists active alerts, the last 7 days of history, silences and rules (API token sees everything)', async () => {
    const r = await list(API);
    expect(r.status).toBe(200);
    const body: AlertsResponse = alertsResponse.parse(r.body);
    expect(groups(body.active)).toEqual([
      'lag-global {}',
      'lag-src {"warehouse_id":"DC-MINE","source_system":"WMS"}',
      'lag-src {"warehouse_id":"DC-OTHER","source_system":"WMS"}',
      'lag-wh {"warehouse_id":"DC-MINE"}',
      'lag-wh {"warehouse_id":"DC-OTHER"}',
    ]);
    // Active first by severity: critical, then high, then medium.
    expect(body.active.map((a) => a.severity)).toEqual(['critical', 'high', 'high', 'medium', 'medium']);
    const mine = body.active.find((a) => a.rule_id === 'lag-wh' && a.group.warehouse_id === 'DC-MINE')!;
    expect(mine).toMatchObject({ status: 'firing', metric: 'sync_lag_p95', threshold: 300, started_at: iso(T), ended_at: null, silenced_until: null });
    expect(mine.value).toBeGreaterThan(300);
    expect(mine.dashboard_url).toMatch(/\/sync\?warehouse=DC-MINE$/);
    expect(groups(body.history)).toEqual(['lag-global {}', 'lag-src {"warehouse_id":"DC-GONE","source_system":"WMS"}', 'lag-wh {"warehouse_id":"DC-GONE"}']);
    expect(body.history.every((h) => h.status === 'resolved' && h.ended_at === iso(T_OLD + 1000 * S) && h.started_at === iso(T_OLD))).toBe(true);
    expect(body.rules.map((x) => x.id)).toEqual(['lag-wh', 'lag-global', 'lag-src']);
  });

  it("is scoped: a regional user sees only their warehouses' groups, never groups without a warehouse", async () => {
    const body = alertsResponse.parse((await list({ cookie: cookies.scoped! })).body);
    expect(groups(body.active)).toEqual(['lag-src {"warehouse_id":"DC-MINE","source_system":"WMS"}', 'lag-wh {"warehouse_id":"DC-MINE"}']);
    expect(body.history).toEqual([]);
    // An admin narrowing to one warehouse is a narrowed scope too.
    const narrowed = alertsResponse.parse((await list({ cookie: cookies.admin! }, '?warehouse=DC-OTHER')).body);
    expect(groups(narrowed.active)).toEqual(['lag-src {"warehouse_id":"DC-OTHER","source_system":"WMS"}', 'lag-wh {"warehouse_id":"DC-OTHER"}']);
  });

  it('401 without identity, 403 for the ingest token and for a warehouse outside the scope', async () => {
    expect((await list({})).status).toBe(401);
    expect((await list(INGEST)).status).toBe(403);
    expect((await list({ cookie: cookies.scoped! }, '?warehouse=DC-OTHER')).status).toBe(403);
  });
});

describe('POST /api/v1/alerts/{rule_id}/silence', () => {
  async function silence(rule: string, body: unknown, headers: Record<string, string>) {
    const req = new Request(`http://localhost/api/v1/alerts/${rule}/silence`, {
      method: 'POST',
      headers: { origin: 'http://localhost', host: 'localhost', 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const res = await silencePOST(req, ctx({ rule_id: rule }));
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  }
  const until = iso(Date.now() + 3_600_000);

  it('validates the body: the group must name exactly the rule group_by fields, until must be RFC 3339', async () => {
    const c = { cookie: cookies.scoped! };
    const cases: [unknown, RegExp][] = [
      [{ group: { warehouse_id: 'DC-MINE', source_system: 'WMS' }, until }, /^group\.source_system: /],
      [{ group: {}, until }, /^group\.warehouse_id: required/],
      [{ group: { warehouse_id: 'DC-MINE' }, until: 'tomorrow' }, /^until: /],
      [{ group: { warehouse_id: 'DC-MINE' } }, /^until: /],
      [{ group: { warehouse_id: 'DC-MINE' }, until, reason: 'x' }, /^reason: unknown field/],
      [{ group: 'DC-MINE', until }, /^group: /],
      ['{not json', /^body: /],
      [{ group: { warehouse_id: 'DC-MINE' }, until: iso(Date.now() + 400 * 86_400_000) }, /^until: /],
      // Far in the past is outside the store's time range: refused, not a 500 or a wrapped date.
      [{ group: { warehouse_id: 'DC-MINE' }, until: '0001-01-01T00:00:00Z' }, /^until: .*outside the supported range/],
    ];
    for (const [body, message] of cases) {
      const r = await silence('lag-wh', body, c);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error?.message, JSON.stringify(body)).toMatch(message);
    }
  });

  it('404 for an unknown rule, 403 outside the scope (or a group without a warehouse), 401/403/405 by identity and method', async () => {
    expect((await silence('no-such-rule', { group: {}, until }, { cookie: cookies.admin! })).status).toBe(404);
    expect((await silence('lag-wh', { group: { warehouse_id: 'DC-OTHER' }, until }, { cookie: cookies.scoped! })).status).toBe(403);
    expect((await silence('lag-global', { group: {}, until }, { cookie: cookies.scoped! })).status).toBe(403);
    const ok = { group: { warehouse_id: 'DC-MINE' }, until };
    expect((await silence('lag-wh', ok, {})).status).toBe(401);
    expect((await silence('lag-wh', ok, API)).status).toBe(403);
    expect((await silence('lag-wh', ok, INGEST)).status).toBe(403);
    expect((await silence('lag-wh', ok, { cookie: cookies.exec! })).status).toBe(403);
    const res = await silenceGET(get('/api/v1/alerts/lag-wh/silence'), ctx({ rule_id: 'lag-wh' }));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('silences a group in scope; the silence shows in the listing and on the active alert', async () => {
    const r = await silence('lag-wh', { group: { warehouse_id: 'DC-MINE' }, until }, { cookie: cookies.scoped! });
    expect(r.status).toBe(200);
    expect(silenceResult.parse(r.body)).toMatchObject({ rule_id: 'lag-wh', group: { warehouse_id: 'DC-MINE' }, until, created_by: 'scoped@t.local', action: 'silenced' });
    const g = await silence('lag-global', { group: {}, until }, { cookie: cookies.admin! });
    expect(g.status).toBe(200);

    const scoped = alertsResponse.parse((await list({ cookie: cookies.scoped! })).body);
    expect(scoped.silences.map((s) => `${s.rule_id} ${JSON.stringify(s.group)}`)).toEqual(['lag-wh {"warehouse_id":"DC-MINE"}']);
    expect(scoped.active.find((a) => a.rule_id === 'lag-wh')?.silenced_until).toBe(until);
    const all = alertsResponse.parse((await list(API)).body);
    expect(all.silences).toHaveLength(2);

    // An `until` in the past lifts the silence, and the answer says so.
    const pastUntil = iso(Date.now() - 1000);
    const lifted = await silence('lag-wh', { group: { warehouse_id: 'DC-MINE' }, until: pastUntil }, { cookie: cookies.scoped! });
    expect(lifted.status).toBe(200);
    expect(silenceResult.parse(lifted.body)).toMatchObject({ rule_id: 'lag-wh', group: { warehouse_id: 'DC-MINE' }, until: pastUntil, action: 'lifted' });
    expect(alertsResponse.parse((await list({ cookie: cookies.scoped! })).body).silences).toEqual([]);
  });
});
