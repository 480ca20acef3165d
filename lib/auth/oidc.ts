import { AsyncLocalStorage } from 'node:async_hooks';
import type { OAuthConfig } from 'next-auth/providers/oauth';
import { env } from '@/lib/config/env';
import { isRole, ROLES, type Role } from './roles';

/**
 * Optional single sign-on (Okta, Entra ID, Keycloak, …) through OIDC discovery. The IdP must put the
 * user's role (one of the four role names) and warehouses into the ID token; the claim names are
 * configurable because every IdP spells them differently. The CT_OIDC_* settings are in lib/config/env.ts.
 */
export interface ClaimMapping {
  roleClaim: string;
  warehousesClaim: string;
}
export interface OidcConfig extends ClaimMapping {
  issuer: string;
  clientId: string;
  clientSecret: string;
  label: string;
}

/** null when SSO is not configured; a half-configured SSO is a mistake worth stopping for. */
export function oidcConfig(): OidcConfig | null {
  const e = env();
  const required = { CT_OIDC_ISSUER: e.CT_OIDC_ISSUER, CT_OIDC_CLIENT_ID: e.CT_OIDC_CLIENT_ID, CT_OIDC_CLIENT_SECRET: e.CT_OIDC_CLIENT_SECRET };
  const missing = Object.entries(required).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length === 3) return null;
  if (missing.length > 0) throw new Error(`configuration: ${missing.join(', ')} required for single sign-on`);
  return {
    issuer: e.CT_OIDC_ISSUER!.replace(/\/+$/, ''),
    clientId: e.CT_OIDC_CLIENT_ID!,
    clientSecret: e.CT_OIDC_CLIENT_SECRET!,
    roleClaim: e.CT_OIDC_ROLE_CLAIM,
    warehousesClaim: e.CT_OIDC_WAREHOUSES_CLAIM,
    label: e.CT_OIDC_NAME,
  };
}

/** A claim by exact name first (namespaced claims like `https://x.example/roles` contain dots), then by dotted path (`realm_access.roles`). */
export function claimValue(claims: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let cur: unknown = claims;
  for (const part of name.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const strings = (v: unknown): string[] | null => {
  if (typeof v === 'string') return v.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.map((x) => x.trim()).filter(Boolean);
  return null;
};

export type MappedUser = { email: string; name: string; role: Role; warehouses: '*' | string[] };
const EMAIL_UNVERIFIED = 'email not verified';
export type MapResult = { ok: true; user: MappedUser } | { ok: false; reason: string };

/**
 * ID-token claims → a Control Tower user, or the reason sign-in is refused. A role claim may be one
 * string or a list (Entra app roles, Keycloak realm roles); a list naming admin means admin, a list
 * naming several other roles is ambiguous and refused rather than guessed.
 */
export function mapOidcClaims(claims: Record<string, unknown>, m: ClaimMapping): MapResult {
  const emailClaim = typeof claims.email === 'string' ? claims.email : claims.preferred_username;
  if (typeof emailClaim !== 'string' || !emailClaim.includes('@')) return { ok: false, reason: 'no email claim' };
  if (claims.email_verified === false) return { ok: false, reason: EMAIL_UNVERIFIED };
  const email = emailClaim.trim().toLowerCase();
  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : email;

  const roleNames = strings(claimValue(claims, m.roleClaim));
  if (!roleNames) return { ok: false, reason: `no ${m.roleClaim} claim` };
  const roles = [...new Set(roleNames.map((r) => r.toLowerCase()).filter(isRole))];
  let role: Role;
  if (roles.includes('admin')) role = 'admin';
  else if (roles.length === 1) role = roles[0]!;
  else if (roles.length === 0) return { ok: false, reason: `${m.roleClaim} names none of ${ROLES.join(', ')}` };
  else return { ok: false, reason: `${m.roleClaim} names several roles (${roles.join(', ')})` };

  if (role === 'admin') return { ok: true, user: { email, name, role, warehouses: '*' } };
  const list = strings(claimValue(claims, m.warehousesClaim));
  if (!list || list.length === 0) return { ok: false, reason: `no ${m.warehousesClaim} claim` };
  const warehouses = list.includes('*') ? '*' : [...new Set(list)];
  return { ok: true, user: { email, name, role, warehouses } };
}

/**
 * Error codes the login page explains (app/login). `refusal` rides on the next-auth user from profile()
 * to the signIn callback, which redirects there with it.
 */
export type SsoRefusal = 'EmailUnverified' | 'AccessDenied';
export type SsoFailure = 'SsoState' | 'SsoToken' | 'SsoDenied';

/**
 * The next-auth provider: authorization code flow with PKCE, state and nonce; openid-client checks the
 * ID token's signature (issuer JWKS), iss, aud, exp and nonce. Refused mappings come back with role null
 * and the signIn callback turns them away.
 */
export function oidcProvider(cfg: OidcConfig): OAuthConfig<Record<string, unknown>> {
  return {
    id: 'oidc',
    name: cfg.label,
    type: 'oauth',
    wellKnown: `${cfg.issuer}/.well-known/openid-configuration`,
    clientId: cfg.clientId,
    clientSecret: cfg.clientSecret,
    authorization: { params: { scope: 'openid email profile' } },
    idToken: true,
    checks: ['pkce', 'state', 'nonce'],
    profile(profile) {
      const mapped = mapOidcClaims(profile, cfg);
      const id = typeof profile.sub === 'string' ? profile.sub : '';
      if (!mapped.ok) {
        console.warn(`[auth] single sign-on refused: ${mapped.reason}`);
        const refusal: SsoRefusal = mapped.reason === EMAIL_UNVERIFIED ? 'EmailUnverified' : 'AccessDenied';
        return { id, email: null, name: null, role: null, warehouses: null, refusal };
      }
      return { id, ...mapped.user };
    },
  };
}

/**
 * next-auth turns every failed SSO callback into one `OAuthCallback` code and only logs why. The log
 * call runs inside the request, so the auth route collects the reason here per request (the logger
 * itself is process-global in next-auth) and the login page can tell a stale or forged sign-in from a
 * token that failed verification, without ever showing the exception text.
 */
const callbackFailure = new AsyncLocalStorage<{ kind?: SsoFailure }>();

export function noteAuthError(code: string, metadata: unknown): void {
  const slot = callbackFailure.getStore();
  if (!slot || slot.kind) return;
  // The IdP itself answered with ?error= (the user cancelled, no access at the IdP, …).
  if (code === 'OAUTH_CALLBACK_HANDLER_ERROR') slot.kind = 'SsoDenied';
  else if (code === 'OAUTH_CALLBACK_ERROR') {
    const err = metadata && typeof metadata === 'object' && 'error' in metadata ? metadata.error : metadata;
    const text = err instanceof Error ? err.message : '';
    // next-auth's state cookie checks and openid-client's "state mismatch"; everything else is the token exchange or ID token validation.
    slot.kind = /\bstate\b/i.test(text) ? 'SsoState' : 'SsoToken';
  }
}

export async function withCallbackFailure<T>(fn: () => Promise<T>): Promise<{ result: T; failure: SsoFailure | undefined }> {
  const slot: { kind?: SsoFailure } = {};
  const result = await callbackFailure.run(slot, fn);
  return { result, failure: slot.kind };
}
