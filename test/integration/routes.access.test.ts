import fs from 'node:fs';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { can, type Permission, type Role } from '@/lib/auth/roles';
import { refusesMethod } from '@/lib/auth/route';
import { ingestLines } from '@/ingest/pipeline';
import { proxy } from '@/proxy';
import { businessEvent } from '../helpers/fixtures';
import { passwordSignIn, passwordSignOut, sessionCookie, useUsers, type TestUser } from '../helpers/session';
import { useTestStore } from '../helpers/store';

/**
 * Every route under app/ (found from the file tree, every exported method) must have an expectation
 * here; a new route without one fails this test. Then: no identity → 401, each principal outside its
 * permission → 403, a warehouse outside the caller's scope → 403/404, and pages redirect to /login.
 */
type Access = Permission | 'public' | 'next-auth' | 'method-not-allowed' | 'not-found';
interface Expectation {
  access: Access;
  /** Route params for a sample call. */
  params?: Record<string, string | string[]>;
  /** How an out-of-scope request is refused: `?warehouse=` → 403, or an object outside scope → 404. */
  scope?: 'warehouse-param' | 'not-found';
  /** Required query parameters for a sample call (`a=1&b=2`). */
  query?: string;
}

const EXPECT: Record<string, Expectation> = {
  'GET /api/health': { access: 'public' },
  'GET /api/auth/[...nextauth]': { access: 'next-auth', params: { nextauth: ['session'] } },
  'POST /api/auth/[...nextauth]': { access: 'next-auth', params: { nextauth: ['signout'] } },
  'POST /api/v1/ingest': { access: 'ingest' },
  'GET /api/v1/ingest': { access: 'method-not-allowed' },
  'POST /v1/traces': { access: 'ingest' },
  'GET /v1/traces': { access: 'method-not-allowed' },
  'GET /api/v1/kpi/sync-lag': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/kpi/sync-lag/series': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/kpi/sync-lag/breakdown': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/kpi/sync-lag/hints': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/kpi/exception-aging': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/kpi/invoice-latency': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/kpi/invoice-latency/unposted': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/kpi/drift': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/kpi/drift/skus': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/kpi/drift/causes': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/kpi/close-readiness': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/kpi/summary': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/kpi/flow': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/kpi/flow/waiting': { access: 'read', scope: 'warehouse-param', query: 'workflow=order_to_cash&stage=order.created' },
  'GET /api/v1/correlations': { access: 'read', scope: 'not-found' },
  'GET /api/v1/correlations/[id]': { access: 'read', params: { id: 'SO-OTHER' }, scope: 'not-found' },
  'GET /api/v1/search': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/exceptions': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/exceptions/[exception_id]': { access: 'read', params: { exception_id: 'EXC-OTHER' }, scope: 'not-found' },
  'POST /api/v1/exceptions/[exception_id]/[action]': { access: 'act', params: { exception_id: 'EXC-OTHER', action: 'acknowledge' }, scope: 'not-found' },
  'GET /api/v1/exceptions/[exception_id]/[action]': { access: 'method-not-allowed', params: { exception_id: 'EXC-OTHER', action: 'acknowledge' } },
  'GET /api/v1/pipeline/health': { access: 'pipeline', scope: 'warehouse-param' },
  'GET /api/v1/rejected': { access: 'pipeline', scope: 'warehouse-param' },
  'GET /api/v1/alerts': { access: 'read', scope: 'warehouse-param' },
  'GET /api/v1/config': { access: 'read' },
  'POST /api/v1/alerts/[rule_id]/silence': { access: 'act', params: { rule_id: 'default-sync-lag-p95' } },
  'GET /api/v1/alerts/[rule_id]/silence': { access: 'method-not-allowed', params: { rule_id: 'default-sync-lag-p95' } },
  // The catch-all: any other /api/v1 path is a JSON 404 for every method, whoever asks.
  ...Object.fromEntries(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => [`${m} /api/v1/[...path]`, { access: 'not-found', params: { path: ['no', 'such'] } }])),
};
/** Methods a route refuses (otherMethods in lib/auth/route.ts) need no line above: they are recognised. */
const expectation = (key: string, handler: unknown): Expectation | undefined =>
  EXPECT[key] ?? (refusesMethod(handler) ? { access: 'method-not-allowed', params: {} } : undefined);
const PUBLIC_PAGES = new Set(['/login']);

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
const APP = path.join(process.cwd(), 'app');

function walk(dir: string, name: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(path.join(dir, d.name), name) : d.name === name ? [path.join(dir, d.name)] : [],
  );
}
/** app/(dashboard)/c/[id]/page.tsx → /c/[id]: route groups vanish from the URL. */
const urlOf = (file: string) =>
  '/' + path.relative(APP, path.dirname(file)).split(path.sep).filter((s) => !/^\(.*\)$/.test(s) && s !== '').join('/');

const USERS: Record<Role | 'scoped', TestUser> = {
  executive: { email: 'exec@t.local', role: 'executive', warehouses: ['*'] },
  support: { email: 'support@t.local', role: 'support', warehouses: ['*'] },
  finance: { email: 'finance@t.local', role: 'finance', warehouses: ['*'] },
  admin: { email: 'admin@t.local', role: 'admin', warehouses: ['*'] },
  scoped: { email: 'scoped@t.local', role: 'support', warehouses: ['DC-MINE'] },
};

useTestStore();
const cookies: Record<string, string> = {};
const routes: { key: string; method: string; url: string; handler: (r: Request, c: unknown) => Promise<Response>; exp: Expectation | undefined }[] = [];

beforeAll(async () => {
  // Objects that exist, but only in a warehouse the scoped user cannot see.
  const other = [
    businessEvent('order.created', { warehouse_id: 'DC-OTHER', correlation_id: 'SO-OTHER' }),
    businessEvent('exception.opened', { warehouse_id: 'DC-OTHER', correlation_id: 'SO-OTHER' }, { exception_id: 'EXC-OTHER', category: 'pricing', severity: 'low' }),
  ];
  await ingestLines(other.map((value, i) => ({ line: i + 1, raw: '', value })), Date.now());
  useUsers(Object.values(USERS));
  for (const [k, u] of Object.entries(USERS)) cookies[k] = await sessionCookie(u);
  for (const file of walk(APP, 'route.ts')) {
    const mod = (await import(file)) as Record<string, unknown>;
    for (const m of METHODS) {
      if (typeof mod[m] === 'function') routes.push({ key: `${m} ${urlOf(file)}`, method: m, url: urlOf(file), handler: mod[m] as never, exp: expectation(`${m} ${urlOf(file)}`, mod[m]) });
    }
  }
});

function call(r: (typeof routes)[number], headers: Record<string, string>, query = ''): Promise<Response> {
  const exp = r.exp!;
  const url = r.url.replace(/\[\.\.\.(\w+)\]|\[(\w+)\]/g, (_m, a: string | undefined, b: string | undefined) => {
    const v = exp.params?.[(a ?? b)!];
    return encodeURIComponent(Array.isArray(v) ? v.join('/') : (v ?? 'x'));
  });
  const body = r.method === 'GET' || r.method === 'HEAD' ? undefined : '{}';
  const qs = [exp.query, query.replace(/^\?/, '')].filter((x) => x).join('&');
  const req = new NextRequest(`http://localhost${url}${qs ? `?${qs}` : ''}`, {
    method: r.method,
    headers: { origin: 'http://localhost', host: 'localhost', 'content-type': 'application/json', ...headers },
    body,
  });
  return r.handler(req, { params: Promise.resolve(exp.params ?? {}) });
}

describe('every route under app/', () => {
  it('has an expectation (and every expectation a route)', () => {
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes.filter((r) => !r.exp).map((r) => r.key);
    expect(missing, 'routes without an access expectation').toEqual([]);
  });

  it('without identity: 401 (or a JSON 405 for methods a route does not serve, a JSON 404 for unknown paths)', async () => {
    for (const r of routes) {
      const exp = r.exp!;
      if (exp.access === 'public' || exp.access === 'next-auth') continue;
      const res = await call(r, { 'x-middleware-subrequest': 'middleware:middleware:middleware' });
      expect(res.status, r.key).toBe(exp.access === 'method-not-allowed' ? 405 : exp.access === 'not-found' ? 404 : 401);
      expect(res.headers.get('content-type'), r.key).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: { code: string } }).error.code, r.key).toMatch(/unauthorized|method_not_allowed|not_found/);
    }
  });

  it('each principal outside its permission: 403', async () => {
    const principals: [string, Record<string, string>, Permission[]][] = [
      ...(['executive', 'support', 'finance', 'admin'] as Role[]).map(
        (role) => [role, { cookie: cookies[role]! }, (['ingest', 'read', 'pipeline', 'act'] as Permission[]).filter((p) => can({ kind: 'user', email: '', name: '', role, warehouses: '*' }, p))] as [string, Record<string, string>, Permission[]],
      ),
      ['api token', { authorization: 'Bearer test-api-token' }, ['read', 'pipeline']],
      ['ingest token', { authorization: 'Bearer test-ingest-token' }, ['ingest']],
    ];
    for (const r of routes) {
      const access = r.exp!.access;
      if (access === 'public' || access === 'next-auth' || access === 'method-not-allowed' || access === 'not-found') continue;
      for (const [who, headers, granted] of principals) {
        if (granted.includes(access)) continue;
        const res = await call(r, headers);
        expect(res.status, `${who} → ${r.key}`).toBe(403);
      }
    }
  });

  it('a warehouse outside the caller scope: 403, or 404 for an object outside it', async () => {
    for (const r of routes) {
      const exp = r.exp!;
      if (!exp.scope) continue;
      const query = r.key === 'GET /api/v1/correlations' ? '?id=SO-OTHER' : exp.scope === 'warehouse-param' ? '?warehouse=DC-NOT-MINE' : '';
      const res = await call(r, { cookie: cookies.scoped! }, query);
      expect(res.status, r.key).toBe(exp.scope === 'warehouse-param' ? 403 : 404);
      if (exp.scope === 'not-found' && r.method === 'GET') {
        // The same object exists for someone who sees every warehouse: the 404 is the scope, not absence.
        expect((await call(r, { cookie: cookies.admin! }, query.replace('DC-NOT-MINE', 'DC-OTHER'))).status, r.key).toBe(200);
      }
    }
  });

  it('pages: every page is known, and without a session the proxy redirects to /login', async () => {
    const pages = walk(APP, 'page.tsx').map(urlOf);
    expect(pages).toContain('/');
    for (const page of pages) {
      const url = `http://localhost${page.replace(/\[(\w+)\]/g, 'sample')}`;
      const res = await proxy(new NextRequest(url, { headers: { 'x-middleware-subrequest': 'middleware' } }));
      if (PUBLIC_PAGES.has(page)) expect(res.headers.get('location'), page).toBeNull();
      else {
        expect(res.status, page).toBe(307);
        expect(new URL(res.headers.get('location')!).pathname, page).toBe('/login');
      }
    }
  });
});

describe('a session ends at sign-out and when its user is disabled (issue 14.3)', () => {
  const PASSWORD = 'a-password-for-this-test';
  const ana: TestUser = { email: 'ana@t.local', role: 'support', warehouses: ['*'], password: PASSWORD };
  const BASE = 'http://localhost';
  const routeFor = (key: string) => routes.find((r) => r.key === key)!.handler;
  const read = (cookie: string) => routeFor('GET /api/v1/exceptions')(new NextRequest(`${BASE}/api/v1/exceptions`, { headers: { cookie } }), { params: Promise.resolve({}) });
  const acknowledge = (cookie: string, id: string) =>
    routeFor('POST /api/v1/exceptions/[exception_id]/[action]')(
      new NextRequest(`${BASE}/api/v1/exceptions/${id}/acknowledge`, { method: 'POST', headers: { cookie, origin: BASE, 'content-type': 'application/json' }, body: '{}' }),
      { params: Promise.resolve({ exception_id: id, action: 'acknowledge' }) },
    );
  const sessionUser = async (cookie: string) => {
    const res = await routeFor('GET /api/auth/[...nextauth]')(new NextRequest(`${BASE}/api/auth/session`, { headers: { cookie } }), { params: Promise.resolve({ nextauth: ['session'] }) });
    return ((await res.json()) as { user?: { email: string } }).user?.email ?? null;
  };

  beforeAll(async () => {
    const opened = [1, 2, 3, 4].map((i) =>
      businessEvent('exception.opened', { warehouse_id: 'DC-OTHER', correlation_id: `SO-SIGNOUT-${i}` }, { exception_id: `EXC-SIGNOUT-${i}`, category: 'pricing', severity: 'low' }),
    );
    await ingestLines(opened.map((value, i) => ({ line: i + 1, raw: '', value })), Date.now());
    useUsers([...Object.values(USERS), ana]);
  });

  it('signed out: the old cookie replayed reads nothing and changes nothing (401), also after a restart', async () => {
    const { cookie } = await passwordSignIn(BASE, ana.email, PASSWORD);
    expect(cookie).toBeDefined();
    expect((await read(cookie!)).status).toBe(200);
    expect((await acknowledge(cookie!, 'EXC-SIGNOUT-1')).status).toBe(200);
    expect(await sessionUser(cookie!)).toBe(ana.email);

    expect((await passwordSignOut(BASE, cookie!)).status).toBe(200);
    expect((await read(cookie!)).status).toBe(401);
    expect((await acknowledge(cookie!, 'EXC-SIGNOUT-2')).status).toBe(401);
    expect(await sessionUser(cookie!)).toBeNull();
    // The proxy treats it as no session: pages go to /login.
    expect((await proxy(new NextRequest(`${BASE}/exceptions`, { headers: { cookie: cookie! } }))).status).toBe(307);

    // A restart forgets what the process held in memory, not what the data directory recorded.
    delete (globalThis as Record<symbol, unknown>)[Symbol.for('control-tower.auth.revoked-sessions')];
    expect((await read(cookie!)).status).toBe(401);

    // Signing out one session leaves the user's others alone.
    const again = (await passwordSignIn(BASE, ana.email, PASSWORD)).cookie!;
    expect((await read(again)).status).toBe(200);
  });

  it('a user disabled in the users file: open sessions get 401 and sign-in is refused', async () => {
    const { cookie } = await passwordSignIn(BASE, ana.email, PASSWORD);
    expect((await read(cookie!)).status).toBe(200);
    expect((await acknowledge(cookie!, 'EXC-SIGNOUT-3')).status).toBe(200);

    useUsers([...Object.values(USERS), { ...ana, disabled: true }]);
    expect((await read(cookie!)).status).toBe(401);
    expect((await acknowledge(cookie!, 'EXC-SIGNOUT-4')).status).toBe(401);
    expect(await sessionUser(cookie!)).toBeNull();
    const refused = await passwordSignIn(BASE, ana.email, PASSWORD);
    expect(refused.res.status).toBe(401);
    expect(refused.cookie).toBeUndefined();
    // Everyone else carries on.
    expect((await read(cookies.support!)).status).toBe(200);
  });
});
