import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { z } from 'zod';
import { dataDir, env } from '@/lib/config/env';
import { isRole, type Role } from './roles';

export const DEMO_PASSWORD_FILE = 'demo-password';

/** The demo accounts `npm start` prints: one per role, every warehouse. */
export const DEMO_USERS: readonly { email: string; name: string; role: Role }[] = [
  { email: 'exec@tower.local', name: 'Demo Executive', role: 'executive' },
  { email: 'support@tower.local', name: 'Demo Support Analyst', role: 'support' },
  { email: 'finance@tower.local', name: 'Demo Finance Lead', role: 'finance' },
  { email: 'admin@tower.local', name: 'Demo Admin', role: 'admin' },
];

const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

const userEntry = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email('expected an email address')),
  name: z.string().trim().min(1, 'must not be empty'),
  role: z.custom<Role>(isRole, 'expected one of executive, support, finance, admin'),
  warehouses: z
    .array(z.string().trim().min(1, 'warehouse ids must not be empty'))
    .min(1, 'list the warehouses, or ["*"] for all')
    .refine((list) => !list.includes('*') || list.length === 1, 'use ["*"] alone to mean every warehouse'),
  password_hash: z.string().regex(BCRYPT, 'expected a bcrypt hash ($2b$<cost>$…)'),
  /** true: may not sign in, and their open sessions end on their next request. */
  disabled: z.boolean().optional(),
});

const usersFile = z.array(userEntry).superRefine((users, ctx) => {
  const seen = new Set<string>();
  users.forEach((u, i) => {
    if (seen.has(u.email)) ctx.addIssue({ code: 'custom', path: [i, 'email'], message: `duplicate user ${u.email}` });
    seen.add(u.email);
  });
});

export type UserSecret = { kind: 'bcrypt'; hash: string } | { kind: 'demo'; password: string };
export interface UserRecord {
  email: string;
  name: string;
  role: Role;
  /** '*' = every warehouse. An admin always sees every warehouse, whatever the file says. */
  warehouses: '*' | string[];
  secret: UserSecret;
  disabled: boolean;
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

function fieldPath(p: readonly PropertyKey[]): string {
  return p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '') || '(root)';
}

/** Validates the CT_USERS_FILE text; errors name the entry and field (`CT_USERS_FILE: [2].role: …`). */
export function parseUsers(text: string): UserRecord[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`CT_USERS_FILE: not valid JSON (${err instanceof Error ? err.message : 'parse error'})`);
  }
  const parsed = usersFile.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${fieldPath(i.path)}: ${i.message}`);
    throw new Error(`CT_USERS_FILE: ${issues.join('; ')}`);
  }
  return parsed.data.map((u) => ({
    email: u.email,
    name: u.name,
    role: u.role,
    warehouses: u.role === 'admin' || u.warehouses[0] === '*' ? '*' : [...new Set(u.warehouses)],
    secret: { kind: 'bcrypt', hash: u.password_hash },
    disabled: u.disabled === true,
  }));
}

export function demoUsers(password: string): UserRecord[] {
  return DEMO_USERS.map((u) => ({ ...u, warehouses: '*' as const, secret: { kind: 'demo' as const, password }, disabled: false }));
}

let cache: { key: string; users: UserRecord[] } | undefined;

function cached(key: string, load: () => UserRecord[]): UserRecord[] {
  if (cache?.key !== key) cache = { key, users: load() };
  return cache.users;
}

/**
 * The users who may sign in with a password: CT_USERS_FILE when set, else (demo on) the demo users with
 * the password the start script keeps in the data directory, else nobody. Re-read when the file changes,
 * so editing the file takes effect without a restart (sessions are re-checked against it too).
 */
export function loadUsers(): readonly UserRecord[] {
  const e = env();
  if (e.CT_USERS_FILE) {
    const file = path.resolve(e.CT_USERS_FILE);
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      throw new Error(`CT_USERS_FILE: cannot read ${file}`);
    }
    return cached(`file:${file}:${st.mtimeMs}:${st.size}`, () => parseUsers(fs.readFileSync(file, 'utf8')));
  }
  if (!e.CT_DEMO) return [];
  const pwFile = path.join(dataDir(), DEMO_PASSWORD_FILE);
  let password: string;
  try {
    password = fs.readFileSync(pwFile, 'utf8').trim();
  } catch {
    return []; // no demo password generated (not started through npm start): no demo sign-in
  }
  if (!password) return [];
  const digest = crypto.createHash('sha256').update(password).digest('hex');
  return cached(`demo:${pwFile}:${digest}`, () => demoUsers(password));
}

/** An enabled user by email: a disabled one is, for signing in and for sessions, not there. */
export function findUser(email: string): UserRecord | undefined {
  const key = normalizeEmail(email);
  return loadUsers().find((u) => u.email === key && !u.disabled);
}

/** A real cost-10 hash of nothing anyone knows: unknown accounts cost as much time as known ones. */
const DUMMY_HASH = '$2b$10$y12NMoqD9uXjCCwOKxJIOO2nr4cDocNmz6dSpSd6vdsfgEDcrKjdu';

const sha = (s: string): Buffer => crypto.createHash('sha256').update(s, 'utf8').digest();

export async function verifyPassword(user: UserRecord | undefined, password: string): Promise<boolean> {
  if (!user) {
    await bcrypt.compare(password, DUMMY_HASH);
    return false;
  }
  if (user.secret.kind === 'bcrypt') return bcrypt.compare(password, user.secret.hash);
  return crypto.timingSafeEqual(sha(password), sha(user.secret.password));
}
