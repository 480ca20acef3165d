import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encode } from 'next-auth/jwt';
import type { Role } from '@/lib/auth/roles';

export const SESSION_SECRET = 'route-test-secret-0123456789abcdef';

export interface TestUser {
  email: string;
  role: Role;
  warehouses: string[];
}

/** Writes a users file for these users and points the process at it (sessions re-check users on every request). */
export function useUsers(users: readonly TestUser[]): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-users-'));
  const file = path.join(dir, 'users.json');
  // The hash is never checked here: these tests mint sessions directly.
  const hash = '$2b$04$abcdefghijklmnopqrstuuM8lDnYK2Xy7y7mB9d3qZpQjQmH0rq6e';
  fs.writeFileSync(file, JSON.stringify(users.map((u) => ({ ...u, name: u.email, password_hash: hash }))));
  Object.assign(process.env, { NEXTAUTH_SECRET: SESSION_SECRET, NEXTAUTH_URL: 'http://localhost', CT_USERS_FILE: file });
}

/** A valid session cookie header for a user, as next-auth would have issued it at sign-in. */
export async function sessionCookie(u: TestUser): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const token = await encode({
    token: { email: u.email, name: u.email, role: u.role, warehouses: u.warehouses.includes('*') ? '*' : u.warehouses, src: 'credentials', login_at: now, seen_at: now },
    secret: SESSION_SECRET,
  });
  return `ct-session=${token}`;
}
