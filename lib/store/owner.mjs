// Which process owns an embedded store is decided by the engine's own lock, never by a PID on file: chDB, like a
// ClickHouse server, holds an flock on <store>/status from the moment a process opens the store until that
// process dies, and the kernel drops it then. A PID outlives its process (a zombie after kill -9, a reboot, a
// container restarted on a persistent volume); this lock cannot. Plain JavaScript so that scripts/start.mjs,
// which runs before any build, shares it with the server and `npm run ingest`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** How long a start waits for the previous owner (typically a process still dying after kill -9). */
export const STORE_LOCK_WAIT_MS = 30_000;

/**
 * 'owned' while a live process has the store at `storeDir` open; 'unknown' where flock(1) (util-linux) is
 * missing. The probe takes a shared lock for an instant, so two probes never see each other as owners.
 */
export function storeOwner(storeDir) {
  const status = path.join(storeDir, 'status');
  if (!fs.existsSync(status)) return 'free';
  const r = spawnSync('flock', ['--shared', '--nonblock', '--conflict-exit-code', '75', status, 'true'], { stdio: 'ignore' });
  if (r.error) return 'unknown';
  if (r.status === 75) return 'owned';
  return r.status === 0 ? 'free' : 'unknown';
}

/**
 * Waits until no other process owns the store, up to `waitMs`; `onWait` is called once if it has to wait.
 * Returns the last answer: 'owned' means the owner outlived the wait.
 */
export async function waitForStore(storeDir, waitMs = STORE_LOCK_WAIT_MS, onWait = () => {}) {
  const deadline = Date.now() + waitMs;
  let owner = storeOwner(storeDir);
  if (owner === 'owned') onWait();
  while (owner === 'owned' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    owner = storeOwner(storeDir);
  }
  return owner;
}
