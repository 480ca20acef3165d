import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { encode } from 'next-auth/jwt';
import { NextRequest } from 'next/server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as authGET, POST as authPOST } from '@/app/api/auth/[...nextauth]/route';
import { route } from '@/lib/auth/route';
import { refreshedCookie, resolveSession, sessionPrincipal } from '@/lib/auth/session';
import { json } from '@/lib/http/respond';
import { authOptions } from '@/lib/auth/options';
import { proxy } from '@/proxy';
import { passwordSignIn, passwordSignOut } from '../helpers/session';

const BASE = 'http://localhost';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-auth-'));
const usersFile = path.join(dir, 'users.json');
const PW = 'correct horse battery staple';
const hash = bcrypt.hashSync(PW, 4);
const USERS = [
  { email: 'ann@example.com', name: 'Ann Analyst', role: 'support', warehouses: ['DC-ATL', 'DC-DFW'], password_hash: hash },
  { email: 'fin@example.com', name: 'Fin Lead', role: 'finance', warehouses: ['*'], password_hash: hash },
  { email: 'boss@example.com', name: 'Boss', role: 'admin', warehouses: ['*'], password_hash: hash },
  { email: 'locked@example.com', name: 'Locked Out', role: 'executive', warehouses: ['*'], password_hash: hash },
];
const writeUsers = (users: unknown[]) => fs.writeFileSync(usersFile, JSON.stringify(users));

beforeAll(() => {
  writeUsers(USERS);
  Object.assign(process.env, { NEXTAUTH_SECRET: 'test-secret-0123456789abcdef', NEXTAUTH_URL: BASE, CT_USERS_FILE: usersFile, CT_DATA_DIR: dir });
});
afterEach(() => {
  vi.useRealTimers();
  process.env.NEXTAUTH_URL = BASE;
  delete process.env.CT_SESSION_IDLE_S;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ctx = (...nextauth: string[]) => ({ params: Promise.resolve({ nextauth }) });
const cookiePairs = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]!);

const signIn = (email: string, password: string, callbackUrl?: string) => passwordSignIn(BASE, email, password, callbackUrl);

const withCookie = (cookie: string | undefined, url = '/api/v1/kpi/sync-lag', init: RequestInit = {}) =>
  new Request(`${BASE}${url}`, { ...init, headers: { ...(cookie ? { cookie } : {}), ...(init.headers as Record<string, string>) } });

describe('sign-in through the next-auth route', () => {
  it('issues an HttpOnly, SameSite=Lax session cookie that resolves to the user, role and warehouses', async () => {
    const { res, setCookie, cookie } = await signIn('Ann@Example.com', PW);
    expect(res.status).toBe(200);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);
    expect(await sessionPrincipal(withCookie(cookie))).toEqual({ kind: 'user', email: 'ann@example.com', name: 'Ann Analyst', role: 'support', warehouses: ['DC-ATL', 'DC-DFW'] });
    const session = await authGET(withCookie(cookie, '/api/auth/session'), ctx('session'));
    expect(((await session.json()) as { user: unknown }).user).toEqual({ email: 'ann@example.com', name: 'Ann Analyst', role: 'support', warehouses: ['DC-ATL', 'DC-DFW'] });
  });

  it('refuses a wrong password and an unknown account alike', async () => {
    for (const [email, pw] of [['fin@example.com', 'nope'], ['nobody@example.com', PW]] as const) {
      const { res, cookie } = await signIn(email, pw);
      expect(res.status).toBe(401);
      expect(cookie).toBeUndefined();
      expect(((await res.json()) as { url: string }).url).toContain('error=CredentialsSignin');
    }
  });

  it('refuses a callback without the csrf token', async () => {
    const res = await authPOST(
      new Request(`${BASE}/api/auth/callback/credentials`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email: 'fin@example.com', password: PW }) }),
      ctx('callback', 'credentials'),
    );
    expect(res.headers.getSetCookie().some((c) => c.startsWith('ct-session=') && !c.startsWith('ct-session=;'))).toBe(false);
    expect(res.headers.get('location')).toContain('csrf=true');
  });

  it('signs out: the session cookie is cleared', async () => {
    const { cookie } = await signIn('fin@example.com', PW);
    const csrfRes = await authGET(withCookie(cookie, '/api/auth/csrf'), ctx('csrf'));
    const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
    const res = await authPOST(
      new Request(`${BASE}/api/auth/signout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [cookie, ...cookiePairs(csrfRes)].join('; ') },
        body: new URLSearchParams({ csrfToken, json: 'true' }),
      }),
      ctx('signout'),
    );
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('ct-session='))).toMatch(/^ct-session=;.*Max-Age=0/i);
  });

  it('refuses an oversized sign-in body with 413 before reading it all', async () => {
    const res = await authPOST(
      new Request(`${BASE}/api/auth/callback/credentials`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `email=a&password=${'x'.repeat(100_000)}` }),
      ctx('callback', 'credentials'),
    );
    expect(res.status).toBe(413);
  });

  it('uses __Host- Secure cookies when served over https', async () => {
    process.env.NEXTAUTH_URL = 'https://tower.example.com';
    const { setCookie, cookie } = await signIn('fin@example.com', PW);
    expect(setCookie).toMatch(/^__Host-ct-session=/);
    expect(setCookie).toMatch(/; Secure/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Domain=/i);
    expect((await sessionPrincipal(withCookie(cookie)))?.kind).toBe('user');
    // The plain-http name is not read on an https deployment.
    expect(await sessionPrincipal(withCookie(cookie!.replace(/^__Host-/, '')))).toBeNull();
  });
});

describe('cookies over https get Secure (issue 14.7)', () => {
  const cookiesOf = (res: Response) => res.headers.getSetCookie();

  it('every cookie next-auth can set is __Host-, Secure, HttpOnly when NEXTAUTH_URL is https, and none is Secure over http', async () => {
    process.env.NEXTAUTH_URL = 'https://tower.example.com';
    // Every cookie kind next-auth knows (session, callback-url, csrf, pkce, state, nonce) is configured by us.
    // (not an exported entry of next-auth: loaded by file, so an upgrade adding a kind fails here)
    const { defaultCookies } = createRequire(import.meta.url)(path.resolve('node_modules/next-auth/core/lib/cookie.js')) as { defaultCookies: (secure: boolean) => Record<string, unknown> };
    const ours = authOptions().cookies!;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(defaultCookies(true)).sort());
    for (const [kind, c] of Object.entries(ours)) {
      expect(c!.name, kind).toMatch(/^__Host-ct-/);
      expect(c!.options, kind).toMatchObject({ secure: true, httpOnly: true, path: '/' });
      expect(c!.options.domain, kind).toBeUndefined();
    }
    // What actually goes over the wire: csrf, callback-url and session cookies, and the proxy's refresh.
    const csrf = await authGET(new Request('https://tower.example.com/api/auth/csrf'), ctx('csrf'));
    const { res, setCookie } = await passwordSignIn('https://tower.example.com', 'fin@example.com', PW);
    const sent = [...cookiesOf(csrf), ...cookiesOf(res)];
    expect(sent.map((c) => c.split('=')[0])).toEqual(expect.arrayContaining(['__Host-ct-csrf', '__Host-ct-callback-url', '__Host-ct-session']));
    for (const c of sent) expect(c, c.split('=')[0]).toMatch(/; Secure/i);
    const resolved = await resolveSession(withCookie(setCookie!.split(';')[0]), Math.floor(Date.now() / 1000) + 600);
    const refreshed = await refreshedCookie(resolved!, Math.floor(Date.now() / 1000) + 600);
    expect(refreshed).toMatchObject({ name: '__Host-ct-session', options: { secure: true, httpOnly: true } });

    process.env.NEXTAUTH_URL = BASE;
    const plain = [...cookiesOf(await authGET(new Request(`${BASE}/api/auth/csrf`), ctx('csrf'))), ...cookiesOf((await signIn('fin@example.com', PW)).res)];
    expect(plain.length).toBeGreaterThan(0);
    for (const c of plain) expect(c).not.toMatch(/Secure|__Host-/i);
  });
});

describe('the session cookie is the only browser identity', () => {
  const handler = route('read', async ({ principal, warehouses }) => json({ principal, scope: warehouses.scope }));
  const act = route('act', async () => json({ ok: true }));

  it('ignores x-middleware-subrequest, forged, foreign-secret and bearer-carried tokens', async () => {
    const bypass = withCookie(undefined, '/api/v1/kpi/sync-lag', { headers: { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' } });
    expect(await sessionPrincipal(bypass)).toBeNull();
    expect((await handler(bypass, { params: Promise.resolve({}) })).status).toBe(401);

    const { cookie } = await signIn('boss@example.com', PW);
    const value = cookie!.split('=')[1]!;
    const tampered = `ct-session=${value.slice(0, -4)}${value.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expect(await sessionPrincipal(withCookie(tampered))).toBeNull();
    const now = Math.floor(Date.now() / 1000);
    const foreign = await encode({ token: { email: 'boss@example.com', name: 'B', role: 'admin', warehouses: '*', src: 'oidc', sid: 'sid-from-another-tower-0123', login_at: now, seen_at: now }, secret: 'another-secret' });
    expect(await sessionPrincipal(withCookie(`ct-session=${foreign}`))).toBeNull();
    // next-auth's getToken would accept the JWT as a bearer token; we do not.
    expect(await sessionPrincipal(withCookie(undefined, '/', { headers: { authorization: `Bearer ${value}` } }))).toBeNull();
    expect((await handler(withCookie(undefined, '/', { headers: { authorization: `Bearer ${value}` } }), { params: Promise.resolve({}) })).status).toBe(401);
  });

  it('scopes a regional user, refuses warehouses outside it, roles outside theirs, and cross-origin writes', async () => {
    const ann = (await signIn('ann@example.com', PW)).cookie;
    const ok = await handler(withCookie(ann), { params: Promise.resolve({}) });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { scope: unknown }).scope).toEqual({ warehouses: ['DC-ATL', 'DC-DFW'] });
    expect((await handler(withCookie(ann, '/api/v1/kpi/sync-lag?warehouse=DC-SEA'), { params: Promise.resolve({}) })).status).toBe(403);

    const fin = (await signIn('fin@example.com', PW)).cookie;
    const post = (cookie: string | undefined, origin?: string) =>
      act(withCookie(cookie, '/api/v1/exceptions/x/acknowledge', { method: 'POST', headers: { host: 'localhost', ...(origin ? { origin } : {}) } }), { params: Promise.resolve({}) });
    expect((await post(fin, BASE)).status).toBe(403); // finance may not act
    expect((await post(ann)).status).toBe(403); // no Origin: refused as possibly cross-site
    expect((await post(ann, 'https://evil.example')).status).toBe(403);
    expect((await post(ann, BASE)).status).toBe(200);
  });

  it('takes a removed user or a changed role from the users file on the next request', async () => {
    const { cookie } = await signIn('fin@example.com', PW);
    writeUsers(USERS.map((u) => (u.email === 'fin@example.com' ? { ...u, role: 'executive', warehouses: ['DC-ATL'] } : u)));
    expect(await sessionPrincipal(withCookie(cookie))).toMatchObject({ role: 'executive', warehouses: ['DC-ATL'] });
    writeUsers(USERS.filter((u) => u.email !== 'fin@example.com'));
    expect(await sessionPrincipal(withCookie(cookie))).toBeNull();
    writeUsers(USERS);
  });
});

describe('throttle', () => {
  it('answers the 11th attempt within 15 minutes with 429 and Retry-After, for that account only', async () => {
    for (let i = 0; i < 10; i++) expect((await signIn('locked@example.com', `wrong-${i}`)).res.status).toBe(401);
    const { res, cookie } = await signIn('LOCKED@example.com', PW);
    expect(res.status).toBe(429);
    expect(cookie).toBeUndefined();
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await signIn('boss@example.com', PW)).res.status).toBe(200);
  });
});

describe('timeouts', () => {
  const T0 = Date.UTC(2030, 0, 1, 8, 0, 0);
  const at = (ms: number) => vi.setSystemTime(T0 + ms);
  const H = 3600_000;

  it('expires after the idle timeout without activity (default 8 h)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
    const { cookie } = await signIn('boss@example.com', PW);
    at(8 * H - 60_000);
    expect(await sessionPrincipal(withCookie(cookie))).not.toBeNull();
    at(8 * H + 1000);
    expect(await sessionPrincipal(withCookie(cookie))).toBeNull();
  });

  it('honours CT_SESSION_IDLE_S', async () => {
    process.env.CT_SESSION_IDLE_S = '600';
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
    const { cookie } = await signIn('boss@example.com', PW);
    at(599_000);
    expect(await sessionPrincipal(withCookie(cookie))).not.toBeNull();
    at(601_000);
    expect(await sessionPrincipal(withCookie(cookie))).toBeNull();
  });

  it('activity keeps the session alive, but never past 12 h from sign-in', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
    const first = (await signIn('boss@example.com', PW)).cookie;
    at(7 * H);
    // Activity through a page request: the proxy re-issues the cookie.
    const res = await proxy(new NextRequest(`${BASE}/exceptions`, { headers: { cookie: first! } }));
    expect(res.status).toBe(200);
    const refreshed = res.headers.getSetCookie().find((c) => c.startsWith('ct-session='));
    expect(refreshed).toMatch(/HttpOnly/i);
    const second = refreshed!.split(';')[0]!;
    at(11 * H);
    expect(await sessionPrincipal(withCookie(first))).toBeNull(); // idle since 0 h
    expect(await sessionPrincipal(withCookie(second))).not.toBeNull(); // seen at 7 h
    // Activity through next-auth's session endpoint moves seen_at too.
    const viaSession = await authGET(withCookie(second, '/api/auth/session'), ctx('session'));
    expect(((await viaSession.json()) as { user?: { email: string } }).user?.email).toBe('boss@example.com');
    const resolved = await resolveSession(withCookie(second));
    expect(await refreshedCookie(resolved!)).not.toBeNull();
    at(12 * H + 1000);
    expect(await sessionPrincipal(withCookie(second))).toBeNull();
    const expired = await authGET(withCookie(second, '/api/auth/session'), ctx('session'));
    expect(await expired.json()).toEqual({});
    expect(expired.headers.getSetCookie().some((c) => c.startsWith('ct-session=;') || /ct-session=.*Max-Age=0/i.test(c))).toBe(true);
  });
});

describe('proxy', () => {
  it('sends pages without a session to /login, and leaves API access to the handlers', async () => {
    const page = await proxy(new NextRequest(`${BASE}/exceptions?status=open`));
    expect(page.status).toBe(307);
    const to = new URL(page.headers.get('location')!);
    expect(to.pathname).toBe('/login');
    expect(to.searchParams.get('callbackUrl')).toBe('/exceptions?status=open');
    expect((await proxy(new NextRequest(`${BASE}/login`))).headers.get('location')).toBeNull();
    expect((await proxy(new NextRequest(`${BASE}/api/v1/kpi/sync-lag`))).headers.get('location')).toBeNull();
    expect((await proxy(new NextRequest(`${BASE}/v1/traces`, { method: 'POST' }))).headers.get('location')).toBeNull();
  });
});

describe('demo users', () => {
  it('sign in with the password kept in the data directory', async () => {
    const demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-demo-'));
    fs.writeFileSync(path.join(demoDir, 'demo-password'), 'Zq8-demo-pass\n');
    const saved = { ...process.env };
    try {
      delete process.env.CT_USERS_FILE;
      Object.assign(process.env, { CT_DEMO: '1', CT_DATA_DIR: demoDir });
      const { res, cookie } = await signIn('finance@tower.local', 'Zq8-demo-pass');
      expect(res.status).toBe(200);
      expect(await sessionPrincipal(withCookie(cookie))).toEqual({ kind: 'user', email: 'finance@tower.local', name: 'Demo Finance Lead', role: 'finance', warehouses: '*' });
      expect((await signIn('admin@tower.local', 'guess')).res.status).toBe(401);
    } finally {
      process.env = saved;
      fs.rmSync(demoDir, { recursive: true, force: true });
    }
  });
});

describe('addresses after sign-in and sign-out stay on our origin (issue 14.1)', () => {
  const HOSTILE = [
    '/.//evil.example/',
    '/x/..//evil.example/',
    '//evil.example/',
    '/\\evil.example',
    '\\\\evil.example',
    '%2F%2Fevil.example',
    '/%2F%2Fevil.example',
    '/%5Cevil.example',
    '%252F%252Fevil.example',
    '/\t/evil.example',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://evil.example/',
    'https://localhost/exceptions',
  ];
  const urlOf = async (res: Response) => ((await res.json()) as { url: string }).url;

  it('sign-in answers our root for every hostile callbackUrl, and keeps our own paths', async () => {
    for (const raw of HOSTILE) {
      const { res } = await signIn('boss@example.com', PW, raw);
      expect(res.status, raw).toBe(200);
      expect(await urlOf(res), raw).toBe(`${BASE}/`);
    }
    expect(await urlOf((await signIn('boss@example.com', PW, '/exceptions?status=open')).res)).toBe(`${BASE}/exceptions?status=open`);
    expect(await urlOf((await signIn('boss@example.com', PW, `${BASE}/close`)).res)).toBe(`${BASE}/close`);
  });

  it('sign-out and the sign-in page redirect do the same', async () => {
    for (const raw of HOSTILE) {
      const { cookie } = await signIn('boss@example.com', PW);
      const out = await passwordSignOut(BASE, cookie!, raw);
      expect(await urlOf(out), raw).toBe(`${BASE}/`);
      const page = await authGET(withCookie(undefined, `/api/auth/signin?callbackUrl=${encodeURIComponent(raw)}`), ctx('signin'));
      const location = page.headers.get('location')!;
      expect(location, raw).toMatch(/^\/login\?/); // relative to our origin
      const to = new URL(location, BASE);
      // next-auth refuses an unparsable one itself (`/login?error=Configuration`, no callbackUrl at all).
      expect([`${BASE}/`, null], raw).toContain(to.searchParams.get('callbackUrl'));
    }
  });

  it('the proxy sends a page request to /login on our origin with a path of ours to come back to', async () => {
    for (const url of [`${BASE}//evil.example/`, `${BASE}/%2F%2Fevil.example`, `${BASE}/%5Cevil.example`]) {
      const res = await proxy(new NextRequest(url));
      const to = new URL(res.headers.get('location')!);
      expect(to.origin, url).toBe(BASE);
      expect(to.searchParams.get('callbackUrl'), url).toBe('/');
    }
    // Host (and X-Forwarded-Host, without CT_TRUST_PROXY) do not choose where the redirect goes.
    const res = await proxy(new NextRequest('http://evil.example/exceptions', { headers: { 'x-forwarded-host': 'evil.example', host: 'evil.example' } }));
    const to = new URL(res.headers.get('location')!);
    expect(to.origin).toBe(BASE);
    expect(to.searchParams.get('callbackUrl')).toBe('/exceptions');
  });
});

describe('same-origin rule for cookie-authenticated writes (issue 14.5)', () => {
  const act = route('act', async () => json({ ok: true }));
  const post = (cookie: string | undefined, headers: Record<string, string>) =>
    act(withCookie(cookie, '/api/v1/exceptions/x/acknowledge', { method: 'POST', headers }), { params: Promise.resolve({}) });
  afterEach(() => {
    delete process.env.CT_TRUST_PROXY;
    delete process.env.PORT;
  });

  it('compares Origin (else Referer) with NEXTAUTH_URL in scheme, host and port; Host and X-Forwarded-* do not count', async () => {
    const { cookie } = await signIn('ann@example.com', PW);
    const refused: Record<string, string>[] = [
      { origin: 'http://evil.example', 'x-forwarded-host': 'evil.example' },
      { origin: 'http://evil.example', host: 'evil.example' },
      { origin: 'http://evil.example', host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' },
      { origin: 'https://localhost', host: 'localhost' }, // another scheme
      { origin: 'https://localhost', host: 'localhost', 'x-forwarded-proto': 'https' },
      { origin: 'http://localhost:3930', host: 'localhost:3930' }, // another port
      { origin: 'http://127.0.0.1', host: '127.0.0.1' }, // another host name for the same machine
      { origin: 'null' },
      { referer: 'http://evil.example/exceptions', host: 'evil.example' },
      { referer: 'https://localhost/exceptions' },
      {},
    ];
    for (const headers of refused) expect((await post(cookie, headers)).status, JSON.stringify(headers)).toBe(403);
    expect((await post(cookie, { origin: BASE })).status).toBe(200);
    expect((await post(cookie, { origin: BASE, host: 'evil.example' })).status).toBe(200); // the browser's Origin is what counts
    expect((await post(cookie, { referer: `${BASE}/exceptions?status=open` })).status).toBe(200);

    process.env.NEXTAUTH_URL = 'https://tower.example.com';
    const secure = (await signIn('ann@example.com', PW)).cookie;
    expect((await post(secure, { origin: 'http://tower.example.com', host: 'tower.example.com' })).status).toBe(403);
    expect((await post(secure, { origin: 'https://tower.example.com:8443' })).status).toBe(403);
    expect((await post(secure, { origin: 'https://tower.example.com' })).status).toBe(200);
  });

  it('believes X-Forwarded-Host/-Proto only with CT_TRUST_PROXY=1 and no NEXTAUTH_URL', async () => {
    const { cookie } = await signIn('ann@example.com', PW);
    delete process.env.NEXTAUTH_URL;
    process.env.PORT = '3930';
    const forwarded = { origin: 'https://tower.example.com', 'x-forwarded-host': 'tower.example.com', 'x-forwarded-proto': 'https' };
    expect((await post(cookie, forwarded)).status).toBe(403); // not declared: the default origin, http://localhost:$PORT
    expect((await post(cookie, { origin: 'http://localhost:3930', host: 'evil.example' })).status).toBe(200);
    process.env.CT_TRUST_PROXY = '1';
    expect((await post(cookie, forwarded)).status).toBe(200);
    expect((await post(cookie, { ...forwarded, origin: 'http://tower.example.com' })).status).toBe(403);
    expect((await post(cookie, { ...forwarded, 'x-forwarded-host': 'evil.example', origin: 'https://evil.example' })).status).toBe(200); // the proxy's word, by declaration
    process.env.NEXTAUTH_URL = 'http://localhost:3930';
    expect((await post(cookie, forwarded)).status).toBe(403); // NEXTAUTH_URL wins
    expect((await post(cookie, { ...forwarded, origin: 'http://localhost:3930' })).status).toBe(200);
  });
});
