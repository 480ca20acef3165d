import fs from 'node:fs';
import path from 'node:path';
import { decode, encode, type JWT } from 'next-auth/jwt';
import { z } from 'zod';
import { dataDir, env } from '@/lib/config/env';
import { parseCookies } from '@/lib/http/cookies';
import { isRole, type Principal, type Role } from './roles';
import { isRevoked } from './revocation';
import { findUser } from './users';

/**
 * The one place a browser session becomes a Principal. Only the session cookie counts: no header
 * (x-middleware-subrequest, Authorization, x-forwarded-*) can stand in for it.
 */

/** Absolute lifetime from sign-in, whatever the activity. */
export const ABSOLUTE_S = 12 * 3600;
/** The cookie (seen_at and exp) is re-issued at most this often: for JWT sessions this is our updateAge. */
export const REFRESH_AFTER_S = 5 * 60;
/** Browsers drop cookies over 4096 bytes; next-auth chunks above this, and we do not refresh chunked ones. */
const SINGLE_COOKIE_LIMIT = 3900;

export const nowS = (): number => Math.floor(Date.now() / 1000);

/** CT_SESSION_IDLE_S (seconds, default 8 h); longer than the absolute timeout would mean nothing. */
export function idleSeconds(): number {
  return Math.min(env().CT_SESSION_IDLE_S, ABSOLUTE_S);
}

/** Served over https (NEXTAUTH_URL says so): cookies get Secure and the __Host- prefix. */
export function secureCookies(): boolean {
  return (env().NEXTAUTH_URL ?? '').toLowerCase().startsWith('https://');
}

export function cookieName(base: string): string {
  return `${secureCookies() ? '__Host-' : ''}ct-${base}`;
}

/** __Host- demands Secure, Path=/ and no Domain; HttpOnly and SameSite=Lax hold over http too. */
export function cookieOptions(): { httpOnly: true; sameSite: 'lax'; path: '/'; secure: boolean } {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: secureCookies() };
}

/** NEXTAUTH_SECRET; for `next dev` in demo mode, the secret a demo `npm start` kept in the data directory. */
export function authSecret(): string | undefined {
  const e = env();
  if (e.NEXTAUTH_SECRET) return e.NEXTAUTH_SECRET;
  if (!e.CT_DEMO) return undefined;
  try {
    return fs.readFileSync(path.join(dataDir(), 'nextauth-secret'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export const claimsSchema = z.object({
  email: z.string().min(1),
  name: z.string(),
  role: z.custom<Role>(isRole),
  warehouses: z.union([z.literal('*'), z.array(z.string())]),
  src: z.enum(['credentials', 'oidc']),
  /** Random per sign-in; sign-out revokes it (revocation.ts). Cookies from before it existed are refused. */
  sid: z.string().min(16),
  /** Seconds since the epoch: when the user signed in, and when we last saw them. */
  login_at: z.number().int(),
  seen_at: z.number().int(),
});
export type SessionClaims = z.infer<typeof claimsSchema>;

export function claimsValid(c: SessionClaims, now = nowS()): boolean {
  return now < c.login_at + ABSOLUTE_S && now < c.seen_at + idleSeconds() && c.seen_at >= c.login_at;
}

/** The session token, whole or reassembled from next-auth's chunks (`name.0`, `name.1`, …). */
function sessionToken(cookieHeader: string | null): { token: string; chunked: boolean } | null {
  const cookies = parseCookies(cookieHeader);
  const name = cookieName('session');
  const whole = cookies.get(name);
  if (whole) return { token: whole, chunked: false };
  const chunks: string[] = [];
  for (let i = 0; cookies.has(`${name}.${i}`); i++) chunks.push(cookies.get(`${name}.${i}`)!);
  return chunks.length ? { token: chunks.join(''), chunked: true } : null;
}

export interface ResolvedSession {
  principal: Extract<Principal, { kind: 'user' }>;
  claims: SessionClaims;
  payload: JWT;
  chunked: boolean;
}

/**
 * Cookie → verified, unexpired, not signed-out session → the user as they are now: a password user is
 * looked up again in the current users, so removing or disabling them or changing their role or
 * warehouses takes effect on the next request, not at the end of the session.
 */
export async function resolveSession(req: { headers: Headers }, now = nowS()): Promise<ResolvedSession | null> {
  const secret = authSecret();
  if (!secret) return null;
  const found = sessionToken(req.headers.get('cookie'));
  if (!found) return null;
  let payload: JWT | null;
  try {
    payload = await decode({ token: found.token, secret });
  } catch {
    return null; // forged, tampered, encrypted with another secret, or past its exp
  }
  const parsed = claimsSchema.safeParse(payload);
  if (!payload || !parsed.success) return null;
  const principal = livePrincipal(parsed.data, now);
  return principal && { principal, claims: parsed.data, payload, chunked: found.chunked };
}

/**
 * Who valid claims stand for now, or null: expired, signed out, or a password user since removed or
 * disabled. Shared by every request (resolveSession) and next-auth's own session endpoint.
 */
export function livePrincipal(c: SessionClaims, now = nowS()): ResolvedSession['principal'] | null {
  if (!claimsValid(c, now)) return null;
  try {
    if (isRevoked(c.sid)) return null; // signed out
  } catch (err) {
    console.error(`[auth] ${err instanceof Error ? err.message : 'signed-out sessions unavailable'}`);
    return null;
  }
  if (c.src !== 'credentials') return { kind: 'user', email: c.email, name: c.name, role: c.role, warehouses: c.warehouses };
  let user;
  try {
    user = findUser(c.email);
  } catch (err) {
    // A broken users file locks everyone out rather than trusting stale roles.
    console.error(`[auth] ${err instanceof Error ? err.message : 'users unavailable'}`);
    return null;
  }
  return user ? { kind: 'user', email: user.email, name: user.name, role: user.role, warehouses: user.warehouses } : null;
}

export async function sessionPrincipal(req: Request): Promise<Principal | null> {
  return (await resolveSession(req))?.principal ?? null;
}

export interface SessionCookie {
  name: string;
  value: string;
  options: ReturnType<typeof cookieOptions> & { expires: Date };
}

/**
 * A re-issued session cookie with seen_at = now, once the last one is REFRESH_AFTER_S old; null when no
 * refresh is due. Neither the cookie nor the JWT outlive the absolute timeout.
 */
export async function refreshedCookie(s: ResolvedSession, now = nowS()): Promise<SessionCookie | null> {
  const secret = authSecret();
  if (!secret || s.chunked || now - s.claims.seen_at < REFRESH_AFTER_S) return null;
  const until = Math.min(now + idleSeconds(), s.claims.login_at + ABSOLUTE_S);
  const { iat: _iat, exp: _exp, jti: _jti, ...rest } = s.payload;
  const value = await encode({ token: { ...rest, seen_at: now }, secret, maxAge: until - now });
  if (value.length > SINGLE_COOKIE_LIMIT) return null;
  return { name: cookieName('session'), value, options: { ...cookieOptions(), expires: new Date(until * 1000) } };
}
