import { afterEach, describe, expect, it } from 'vitest';
import { mapOidcClaims, noteAuthError, oidcConfig, oidcProvider, withCallbackFailure } from '@/lib/auth/oidc';

const m = { roleClaim: 'role', warehousesClaim: 'warehouses' };
const base = { sub: 'u1', email: 'Ann@Example.com', name: 'Ann', email_verified: true };

describe('OIDC claim mapping', () => {
  it('maps role and warehouses', () => {
    expect(mapOidcClaims({ ...base, role: 'support', warehouses: ['DC-ATL', 'DC-DFW', 'DC-ATL'] }, m)).toEqual({
      ok: true,
      user: { email: 'ann@example.com', name: 'Ann', role: 'support', warehouses: ['DC-ATL', 'DC-DFW'] },
    });
  });
  it('accepts "*", space/comma separated strings and case-insensitive role names', () => {
    expect(mapOidcClaims({ ...base, role: 'Finance', warehouses: '*' }, m)).toMatchObject({ ok: true, user: { role: 'finance', warehouses: '*' } });
    expect(mapOidcClaims({ ...base, role: 'executive', warehouses: 'DC-ATL, DC-SEA' }, m)).toMatchObject({ ok: true, user: { warehouses: ['DC-ATL', 'DC-SEA'] } });
  });
  it('admin sees every warehouse and wins in a role list', () => {
    expect(mapOidcClaims({ ...base, role: ['support', 'admin'] }, m)).toMatchObject({ ok: true, user: { role: 'admin', warehouses: '*' } });
  });
  it('refuses unknown, missing and ambiguous roles', () => {
    expect(mapOidcClaims({ ...base, role: 'superuser', warehouses: '*' }, m)).toMatchObject({ ok: false });
    expect(mapOidcClaims({ ...base, warehouses: '*' }, m)).toMatchObject({ ok: false, reason: 'no role claim' });
    expect(mapOidcClaims({ ...base, role: ['support', 'finance'], warehouses: '*' }, m)).toMatchObject({ ok: false });
    expect(mapOidcClaims({ ...base, role: 7, warehouses: '*' }, m)).toMatchObject({ ok: false });
  });
  it('refuses a non-admin without warehouses, and unverified or missing email', () => {
    expect(mapOidcClaims({ ...base, role: 'support' }, m)).toMatchObject({ ok: false, reason: 'no warehouses claim' });
    expect(mapOidcClaims({ ...base, role: 'support', warehouses: [] }, m)).toMatchObject({ ok: false });
    expect(mapOidcClaims({ ...base, email_verified: false, role: 'admin' }, m)).toMatchObject({ ok: false, reason: 'email not verified' });
    expect(mapOidcClaims({ sub: 'u', role: 'admin' }, m)).toMatchObject({ ok: false, reason: 'no email claim' });
  });
  it('falls back to preferred_username (Entra) and the email as name', () => {
    expect(mapOidcClaims({ sub: 'u', preferred_username: 'Bo@Corp.com', roles: ['executive'], ct_wh: ['DC-ATL'] }, { roleClaim: 'roles', warehousesClaim: 'ct_wh' })).toEqual({
      ok: true,
      user: { email: 'bo@corp.com', name: 'bo@corp.com', role: 'executive', warehouses: ['DC-ATL'] },
    });
  });
  it('reads namespaced claims by exact name and nested claims by dotted path', () => {
    const claims = { ...base, 'https://tower.example/role': 'support', realm_access: { roles: ['offline_access', 'finance'] }, ct: { warehouses: ['DC-SEA'] } };
    expect(mapOidcClaims(claims, { roleClaim: 'https://tower.example/role', warehousesClaim: 'ct.warehouses' })).toMatchObject({ ok: true, user: { role: 'support', warehouses: ['DC-SEA'] } });
    expect(mapOidcClaims(claims, { roleClaim: 'realm_access.roles', warehousesClaim: 'ct.warehouses' })).toMatchObject({ ok: true, user: { role: 'finance' } });
  });
});

describe('OIDC configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  it('is off without env, refuses half a configuration, and builds a discovery provider', () => {
    for (const k of Object.keys(process.env)) if (k.startsWith('CT_OIDC_')) delete process.env[k];
    expect(oidcConfig()).toBeNull();
    process.env.CT_OIDC_ISSUER = 'https://idp.example.com/';
    expect(() => oidcConfig()).toThrow(/CT_OIDC_CLIENT_ID, CT_OIDC_CLIENT_SECRET required/);
    Object.assign(process.env, { CT_OIDC_CLIENT_ID: 'id', CT_OIDC_CLIENT_SECRET: 'secret', CT_OIDC_ROLE_CLAIM: 'groups' });
    const cfg = oidcConfig()!;
    expect(cfg).toMatchObject({ issuer: 'https://idp.example.com', roleClaim: 'groups', warehousesClaim: 'warehouses' });
    const p = oidcProvider(cfg);
    expect(p.wellKnown).toBe('https://idp.example.com/.well-known/openid-configuration');
    // Code flow with PKCE, state and nonce; the ID token (validated by openid-client) is the profile.
    expect(p.checks).toEqual(['pkce', 'state', 'nonce']);
    expect(p.idToken).toBe(true);
    expect(p.profile({ sub: 's', email: 'a@b.co', groups: 'admin' }, {})).toMatchObject({ id: 's', role: 'admin', warehouses: '*' });
    expect(p.profile({ sub: 's', email: 'a@b.co', groups: 'nobody' }, {})).toMatchObject({ role: null, refusal: 'AccessDenied' });
    expect(p.profile({ sub: 's', email: 'a@b.co', email_verified: false, groups: 'admin' }, {})).toMatchObject({ role: null, refusal: 'EmailUnverified' });
  });
});

describe('SSO callback failures', () => {
  const failed = (err: Error) => ({ error: Object.assign(new Error(err.message), { name: 'OAuthCallbackError' }), providerId: 'oidc' });
  it('tells a state failure from a token that failed verification, per request', async () => {
    const state = await withCallbackFailure(async () => noteAuthError('OAUTH_CALLBACK_ERROR', failed(new Error('state mismatch, expected abc, got: abcx'))));
    expect(state.failure).toBe('SsoState');
    const cookie = await withCallbackFailure(async () => noteAuthError('OAUTH_CALLBACK_ERROR', failed(new TypeError('State cookie was missing.'))));
    expect(cookie.failure).toBe('SsoState');
    const aud = await withCallbackFailure(async () => noteAuthError('OAUTH_CALLBACK_ERROR', failed(new Error('aud mismatch, expected tower, got: other'))));
    expect(aud.failure).toBe('SsoToken');
  });
  it('an IdP error answer stays "denied", and nothing is noted outside a request', async () => {
    const denied = await withCallbackFailure(async () => {
      noteAuthError('OAUTH_CALLBACK_HANDLER_ERROR', { error: new Error('access_denied') });
      noteAuthError('OAUTH_CALLBACK_ERROR', failed(new Error('access_denied')));
    });
    expect(denied.failure).toBe('SsoDenied');
    expect(() => noteAuthError('OAUTH_CALLBACK_ERROR', failed(new Error('state mismatch')))).not.toThrow();
    expect((await withCallbackFailure(async () => 1)).failure).toBeUndefined();
  });
});
