import crypto from 'node:crypto';
import type { DefaultSession, NextAuthOptions, User } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { safeCallbackPath } from './callback';
import { revokeSession } from './revocation';
import { isRole, type Role } from './roles';
import { noteAuthError, oidcConfig, oidcProvider, type SsoRefusal } from './oidc';
import {
  ABSOLUTE_S,
  authSecret,
  claimsSchema,
  cookieName,
  cookieOptions,
  idleSeconds,
  livePrincipal,
  nowS,
  REFRESH_AFTER_S,
  secureCookies,
} from './session';
import { clearFailures, throttleState, recordFailure } from './throttle';
import { findUser, normalizeEmail, verifyPassword } from './users';

declare module 'next-auth' {
  interface User {
    role?: Role | null;
    warehouses?: '*' | string[] | null;
    /** Set by the SSO profile mapping when it refuses the account; the signIn callback explains it. */
    refusal?: SsoRefusal;
  }
  interface Session {
    user: { email: string; name: string; role: Role; warehouses: '*' | string[] } & DefaultSession['user'];
  }
}

/** Thrown from authorize when the account is throttled; the route turns the attempt into a 429 first. */
export const RATE_LIMITED = 'rate_limited';

/**
 * Password sign-in. Every refused attempt for an address counts towards its throttle, known account
 * or not, and unknown accounts cost a bcrypt comparison too, so neither timing nor throttling tells
 * which addresses exist.
 */
export async function credentialsSignIn(rawEmail: unknown, rawPassword: unknown): Promise<User | null> {
  if (typeof rawEmail !== 'string' || typeof rawPassword !== 'string') return null;
  const email = normalizeEmail(rawEmail);
  if (!email) return null;
  if (throttleState(email).limited) throw new Error(RATE_LIMITED);
  let user;
  try {
    user = findUser(email);
  } catch (err) {
    console.error(`[auth] ${err instanceof Error ? err.message : 'users unavailable'}`);
    throw new Error('Configuration'); // the page says "sign-in unavailable"; the reason stays in the log
  }
  const ok = rawPassword.length > 0 && (await verifyPassword(user, rawPassword));
  if (!ok || !user) {
    recordFailure(email);
    return null;
  }
  clearFailures(email);
  return { id: user.email, email: user.email, name: user.name, role: user.role, warehouses: user.warehouses };
}

function cookies(): NextAuthOptions['cookies'] {
  const options = cookieOptions();
  const shortLived = { ...options, maxAge: 15 * 60 };
  return {
    sessionToken: { name: cookieName('session'), options },
    callbackUrl: { name: cookieName('callback-url'), options },
    csrfToken: { name: cookieName('csrf'), options },
    pkceCodeVerifier: { name: cookieName('pkce'), options: shortLived },
    state: { name: cookieName('state'), options: shortLived },
    nonce: { name: cookieName('nonce'), options: shortLived },
  };
}

/**
 * Built per request (cheap) so the users, SSO and cookie settings follow the environment of the
 * moment. Sessions are JWTs in an encrypted cookie: the token carries who, role, warehouses, sign-in
 * time (absolute timeout) and last-seen time (idle timeout); session.ts enforces both on every request.
 */
export function authOptions(): NextAuthOptions {
  const providers: NextAuthOptions['providers'] = [
    CredentialsProvider({
      id: 'credentials',
      name: 'Email and password',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      authorize: (credentials) => credentialsSignIn(credentials?.email, credentials?.password),
    }),
  ];
  const sso = oidcConfig();
  if (sso) providers.push(oidcProvider(sso));
  const idle = idleSeconds();
  return {
    providers,
    secret: authSecret(),
    session: { strategy: 'jwt', maxAge: idle, updateAge: REFRESH_AFTER_S },
    jwt: { maxAge: idle },
    useSecureCookies: secureCookies(),
    cookies: cookies(),
    pages: { signIn: '/login', error: '/login' },
    logger: {
      // An expired session read through /api/auth/session is routine, not a server error.
      error: (code, metadata) => {
        if (code === 'JWT_SESSION_ERROR') return;
        noteAuthError(code, metadata);
        console.error(`[next-auth][error][${code}]`, metadata instanceof Error ? metadata.message : metadata);
      },
      warn: (code) => console.warn(`[next-auth][warn][${code}]`),
      debug: () => {},
    },
    events: {
      // A copied cookie must not outlive its sign-out: the session id is refused from now on.
      signOut: ({ token }) => {
        const c = claimsSchema.safeParse(token);
        if (c.success) revokeSession(c.data.sid, c.data.login_at + ABSOLUTE_S);
      },
    },
    callbacks: {
      // Only paths of our own origin, normalised: next-auth's default lets `/.//evil.example` through.
      redirect: ({ url, baseUrl }) => `${baseUrl}${safeCallbackPath(url, baseUrl)}`,
      // SSO users whose claims mapped to no role arrive with role null: refused here. An unverified
      // email gets its own message on the login page instead of the generic AccessDenied.
      signIn: ({ user }) => {
        if (user.refusal === 'EmailUnverified') return '/login?error=EmailUnverified';
        return isRole(user.role) && user.warehouses != null && typeof user.email === 'string';
      },
      jwt: ({ token, user, account }) => {
        const now = nowS();
        if (user) {
          return {
            sub: user.id,
            email: user.email,
            name: user.name,
            role: user.role,
            warehouses: user.warehouses,
            src: account?.provider === 'credentials' ? 'credentials' : 'oidc',
            sid: crypto.randomBytes(16).toString('base64url'),
            login_at: now,
            seen_at: now,
          };
        }
        // Session reads (/api/auth/session) count as activity; what the client sends with update() is ignored.
        const claims = claimsSchema.safeParse(token);
        if (!claims.success || !livePrincipal(claims.data, now)) throw new Error('session expired');
        return { ...token, seen_at: now };
      },
      session: ({ session, token }) => {
        const c = claimsSchema.parse(token);
        return { expires: session.expires, user: { email: c.email, name: c.name, role: c.role, warehouses: c.warehouses } };
      },
    },
  };
}
