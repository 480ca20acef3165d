import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { encode } from 'next-auth/jwt';
import type { Role } from '@/lib/auth/roles';

export const SESSION_SECRET = 'route-test-secret-0123456789abcdef';

export interface TestUser {
  email: string;
  role: Role;
  warehouses: string[];
  /** Set to sign in through the next-auth route; otherwise the hash matches no password. */
  password?: string;
  disabled?: boolean;
}

/** Writes a users file for these users and points the process at it (sessions re-check users on every request). */
export function useUsers(users: readonly TestUser[]): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-users-'));
  const file = path.join(dir, 'users.json');
  // Without a password the hash is never checked: those tests mint sessions directly.
  const hash = '$2b$04$abcdefghijklmnopqrstuuM8lDnYK2Xy7y7mB9d3qZpQjQmH0rq6e';
  const entry = ({ password, ...u }: TestUser) => ({ ...u, name: u.email, password_hash: password ? bcrypt.hashSync(password, 4) : hash });
  fs.writeFileSync(file, JSON.stringify(users.map(entry)));
  Object.assign(process.env, { NEXTAUTH_SECRET: SESSION_SECRET, NEXTAUTH_URL: 'http://localhost', CT_USERS_FILE: file });
}

/** A valid session cookie header for a user, as next-auth would have issued it at sign-in. */
export async function sessionCookie(u: TestUser): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const token = await encode({
    token: { email: u.email, name: u.email, role: u.role, warehouses: u.warehouses.includes('*') ? '*' : u.warehouses, src: 'credentials', sid: crypto.randomBytes(16).toString('base64url'), login_at: now, seen_at: now },
    secret: SESSION_SECRET,
  });
  return `ct-session=${token}`;
}

const authCtx = (...nextauth: string[]) => ({ params: Promise.resolve({ nextauth }) });
const cookiePairs = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]!);

/** The browser's path through the next-auth route: GET /api/auth/csrf, then POST the form with the csrf cookie. */
async function postForm(base: string, action: string[], cookie: string | undefined, fields: Record<string, string>): Promise<Response> {
  const { GET, POST } = await import('@/app/api/auth/[...nextauth]/route');
  const csrfRes = await GET(new Request(`${base}/api/auth/csrf`, { headers: cookie ? { cookie } : {} }), authCtx('csrf'));
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  return POST(
    new Request(`${base}/api/auth/${action.join('/')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...(cookie ? [cookie] : []), ...cookiePairs(csrfRes)].join('; ') },
      body: new URLSearchParams({ csrfToken, ...fields, json: 'true' }),
    }),
    authCtx(...action),
  );
}

/** Password sign-in; `cookie` is the session cookie pair to replay (`ct-session=…`), if one was issued. */
export async function passwordSignIn(base: string, email: string, password: string, callbackUrl = `${base}/`) {
  const res = await postForm(base, ['callback', 'credentials'], undefined, { email, password, callbackUrl });
  const setCookie = res.headers.getSetCookie().find((c) => /^(__Host-)?ct-session=/.test(c));
  return { res, setCookie, cookie: setCookie?.split(';')[0] };
}

/** Sign-out as the dashboard does it (POST /api/auth/signout with the csrf token). */
export function passwordSignOut(base: string, cookie: string, callbackUrl = `${base}/login`): Promise<Response> {
  return postForm(base, ['signout'], cookie, { callbackUrl });
}
