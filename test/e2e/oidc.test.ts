import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../helpers/free-port';
import { ensureBuilt, TestServer } from '../reliability/server';
import { launch, screenshot } from './browser';
import { CLIENT_ID, CLIENT_SECRET, startOidcProvider, type IdTokenTamper, type TestIdp } from './oidc-provider';

/**
 * Single sign-on end to end: Chromium signs in to a tower configured with CT_OIDC_* against a real
 * OpenID provider on 127.0.0.1 (authorization code + PKCE, state, nonce). The tower is a second
 * server of its own (same build), so the shared demo server of the other e2e files stays without SSO.
 */

let idp: TestIdp;
let tower: TestServer;
let browser: Browser;

beforeAll(async () => {
  ensureBuilt();
  // The issuer's port is fixed before the tower starts; the provider needs the tower's port for its redirect URI.
  const idpPort = await freePort();
  tower = await TestServer.start({
    host: 'localhost',
    env: {
      CT_OIDC_ISSUER: `http://127.0.0.1:${idpPort}`,
      CT_OIDC_CLIENT_ID: CLIENT_ID,
      CT_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      CT_OIDC_NAME: 'Test IdP',
    },
  });
  idp = await startOidcProvider({ port: idpPort, redirectUri: `${tower.url}/api/auth/callback/oidc` });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await idp?.close();
  await tower?.dispose();
});

const contexts: BrowserContext[] = [];
afterAll(async () => {
  for (const c of contexts) await c.close();
});

/** From the tower's login page through the IdP's login form; returns once the browser is back at the tower. */
async function ssoSignIn(account: string, opts: { tamper?: IdTokenTamper; before?: (page: Page) => Promise<unknown> } = {}): Promise<Page> {
  idp.tamper = opts.tamper ?? null;
  const ctx = await browser.newContext();
  contexts.push(ctx);
  const page = await ctx.newPage();
  await opts.before?.(page);
  await page.goto(`${tower.url}/login`);
  await Promise.all([
    page.waitForURL((u) => u.origin === idp.issuer && u.pathname.startsWith('/interaction/'), { timeout: 30_000 }),
    page.getByRole('button', { name: 'Sign in with Test IdP' }).click(),
  ]);
  await page.fill('input[name="login"]', account);
  await page.fill('input[name="password"]', 'any password');
  const towerOrigin = new URL(tower.url).origin;
  await Promise.all([
    page.waitForURL((u) => u.origin === towerOrigin && (!u.pathname.startsWith('/login') || u.searchParams.has('error')), { timeout: 30_000 }),
    page.click('button[type="submit"]'),
  ]);
  return page;
}

const session = (page: Page) => page.evaluate(async () => (await fetch('/api/auth/session')).json() as Promise<Record<string, unknown>>);

/** Refused: back on /login with the code in the URL, its message on the page, no session and no exception text. */
async function expectRefused(page: Page, code: string, message: RegExp, name: string): Promise<void> {
  const url = new URL(page.url());
  expect(url.pathname).toBe('/login');
  expect(url.searchParams.get('error')).toBe(code);
  const alert = page.locator('#login-error');
  await expect.poll(() => alert.textContent(), { timeout: 10_000 }).toMatch(message);
  const text = await page.locator('body').innerText();
  expect(text).not.toMatch(/mismatch|RPError|TypeError|OPError|stack|expected|cookie|undefined/i);
  expect(await session(page)).toEqual({});
  await screenshot(page, `oidc-${name}`);
}

describe('single sign-on through a real OpenID provider', () => {
  it('signs in with code + PKCE + state + nonce and maps role and warehouses', async () => {
    const page = await ssoSignIn('ann');
    await page.waitForURL((u) => u.pathname === '/exceptions', { timeout: 30_000 });
    expect(await session(page)).toMatchObject({
      user: { email: 'ann.support@example.com', name: 'Ann Support', role: 'support', warehouses: ['DC-ATL', 'DC-DFW'] },
    });

    const auth = idp.requests.filter((u) => u.pathname === '/auth').at(-1)!;
    expect(auth.searchParams.get('response_type')).toBe('code');
    expect(auth.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    expect(auth.searchParams.get('scope')?.split(' ')).toContain('openid');
    // The provider requires PKCE, so a token request without the matching verifier would have failed.
    expect(idp.requests.some((u) => u.pathname === '/token')).toBe(true);
  });

  it('a role list naming admin maps to admin over every warehouse', async () => {
    const page = await ssoSignIn('root');
    await page.waitForURL((u) => u.pathname === '/', { timeout: 30_000 });
    expect(await session(page)).toMatchObject({ user: { email: 'root@example.com', role: 'admin', warehouses: '*' } });
  });

  it('an ID token re-signed by the provider with nothing changed is accepted (the tampering below changes one thing each)', async () => {
    const page = await ssoSignIn('ann', { tamper: { aud: CLIENT_ID } });
    await page.waitForURL((u) => u.pathname === '/exceptions', { timeout: 30_000 });
    expect(await session(page)).toMatchObject({ user: { role: 'support' } });
  });

  it('refuses an ID token issued for another audience', async () => {
    const page = await ssoSignIn('ann', { tamper: { aud: 'another-app' } });
    await expectRefused(page, 'SsoToken', /failed verification/, 'wrong-audience');
    expect(tower.log()).toMatch(/aud mismatch/);
  });

  it('refuses an ID token with another nonce, or without one', async () => {
    for (const [nonce, name] of [['replayed-nonce', 'wrong-nonce'], [null, 'no-nonce']] as const) {
      const before = (tower.log().match(/nonce mismatch/g) ?? []).length;
      const page = await ssoSignIn('ann', { tamper: { nonce } });
      await expectRefused(page, 'SsoToken', /failed verification/, name);
      expect((tower.log().match(/nonce mismatch/g) ?? []).length).toBeGreaterThan(before);
    }
  });

  it('refuses an ID token signed by a key the provider did not publish', async () => {
    const page = await ssoSignIn('ann', { tamper: { foreignKey: true } });
    await expectRefused(page, 'SsoToken', /failed verification/, 'bad-signature');
    expect(tower.log()).toMatch(/failed to validate JWT signature/);
  });

  it('refuses a callback whose state was tampered with', async () => {
    const tokenCalls = idp.requests.filter((u) => u.pathname === '/token').length;
    // The callback arrives through the provider's redirects, which page.route cannot rewrite; the
    // authorization request is the browser's own navigation, and the provider echoes its state back.
    const page = await ssoSignIn('ann', {
      before: (p) =>
        p.route(
          (u) => u.origin === idp.issuer && u.pathname === '/auth',
          (route) => {
            const u = new URL(route.request().url());
            u.searchParams.set('state', `${u.searchParams.get('state')}x`);
            return route.continue({ url: u.toString() });
          },
        ),
    });
    const sent = idp.requests.filter((u) => u.pathname === '/auth').at(-1)!;
    expect(sent.searchParams.get('state')).toMatch(/x$/);
    await expectRefused(page, 'SsoState', /could not be matched to this browser/, 'tampered-state');
    expect(tower.log()).toMatch(/state mismatch/);
    // Refused before the code was ever exchanged.
    expect(idp.requests.filter((u) => u.pathname === '/token').length).toBe(tokenCalls);
  });

  it('refuses an account whose email the provider has not verified', async () => {
    const page = await ssoSignIn('unverified');
    await expectRefused(page, 'EmailUnverified', /email address is not verified/, 'unverified-email');
    expect(tower.log()).toMatch(/single sign-on refused: email not verified/);
  });
});
