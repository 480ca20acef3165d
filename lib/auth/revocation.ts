import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { dataDir } from '@/lib/config/env';

/**
 * Signed-out sessions. A session cookie is a self-contained JWT, so signing out must be remembered on
 * the server, or a copied cookie keeps working until it expires. Each session carries a random `sid`;
 * sign-out records it here until the session's absolute end (after which the cookie is dead anyway).
 *
 * Kept in memory (checking costs a map lookup) and in `revoked-sessions.json` in the data directory,
 * so a restart does not bring signed-out sessions back. On globalThis: the proxy and the route
 * handlers are separate bundles in one server process and must see the same set.
 */

export const REVOKED_FILE = 'revoked-sessions.json';

/** sid → second (epoch) after which the session would be expired anyway. */
const fileSchema = z.record(z.string(), z.number().int());
type Revoked = Map<string, number>;

const KEY = Symbol.for('control-tower.auth.revoked-sessions');
const holder = globalThis as typeof globalThis & { [KEY]?: { file: string; revoked: Revoked } };

function load(file: string): Revoked {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new Error(`${file}: cannot read the signed-out sessions (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const parsed = fileSchema.safeParse(raw);
  // Unreadable, every session is refused (resolveSession logs this) rather than reviving signed-out ones.
  if (!parsed.success) throw new Error(`${file}: not a list of signed-out sessions; fix or remove it`);
  return new Map(Object.entries(parsed.data));
}

function revokedSet(): { file: string; revoked: Revoked } {
  const file = path.join(dataDir(), REVOKED_FILE);
  const held = holder[KEY];
  if (held?.file === file) return held;
  const fresh = { file, revoked: load(file) };
  holder[KEY] = fresh;
  return fresh;
}

/** Throws when the record cannot be read: the caller refuses the session. */
export function isRevoked(sid: string): boolean {
  return revokedSet().revoked.has(sid);
}

/** Remembers a signed-out session; written through (temp file + rename) so a crash leaves the old or the new list. */
export function revokeSession(sid: string, until: number, now = Math.floor(Date.now() / 1000)): void {
  const { file, revoked } = revokedSet();
  revoked.set(sid, until);
  for (const [k, t] of revoked) if (t <= now) revoked.delete(k);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries(revoked)), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch (err) {
    // Still refused by this process; only a restart would forget it.
    console.error(`[auth] could not record a sign-out in ${file}: ${err instanceof Error ? err.message : 'write failed'}`);
  }
}
