import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { sleep } from './stats';
export { freePort } from '../test/helpers/free-port';

/**
 * Child processes for the bench: each runs in its own process group so that it and everything it
 * spawned (tsx re-executes node; `scripts/start.mjs` runs `next start`) can be stopped together, and
 * its memory is read from /proc over the whole tree, because the process doing the work is rarely
 * the one we spawned.
 */

const live = new Set<number>();

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

// A bench that fails or is interrupted must not leave a server holding a port and a data directory.
process.on('exit', () => {
  for (const pgid of live) killGroup(pgid, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    for (const pgid of live) killGroup(pgid, 'SIGKILL');
    process.exit(130);
  });
}

export interface Tracked {
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or 128 + signal number style -1 for a signal) when the child exits. */
  exited: Promise<number>;
  /** Peak resident set (VmHWM) seen so far per pid of the tree, in bytes. */
  peaks: Map<number, { bytes: number; name: string }>;
  stopPolling: () => void;
  /** SIGTERM to the group, SIGKILL after `graceMs`. */
  stop: (graceMs?: number) => Promise<void>;
}

export interface SpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** File receiving the child's stdout and stderr. */
  logFile: string;
}

export function spawnTracked(cmd: string, args: string[], opts: SpawnOptions): Tracked {
  const log = fs.openSync(opts.logFile, 'w');
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', log, log], detached: true });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${cmd} ${args.join(' ')}`);
  const pid = child.pid;
  live.add(pid);
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(pid);
      resolve(code ?? (signal ? -1 : 0));
    });
  });
  const peaks = new Map<number, { bytes: number; name: string }>();
  let polling = true;
  void (async () => {
    while (polling) {
      for (const p of [pid, ...descendants(pid)]) {
        const s = readStatus(p);
        if (s && s.hwm > (peaks.get(p)?.bytes ?? 0)) peaks.set(p, { bytes: s.hwm, name: s.name });
      }
      await sleep(200);
    }
  })();
  const stop = async (graceMs = 5000) => {
    if (!live.has(pid)) return;
    killGroup(pid, 'SIGTERM');
    const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done) killGroup(pid, 'SIGKILL');
    await Promise.race([exited, sleep(2000)]);
    // next start may outlive its parent for a moment: make sure the whole group is gone.
    killGroup(pid, 'SIGKILL');
    live.delete(pid);
  };
  return { child, pid, exited, peaks, stopPolling: () => void (polling = false), stop };
}

/** The largest peak RSS in the tree and which process had it. */
export function treePeak(t: Tracked): { bytes: number; pid: number; name: string } {
  let best = { bytes: 0, pid: t.pid, name: '' };
  for (const [pid, v] of t.peaks) if (v.bytes > best.bytes) best = { bytes: v.bytes, pid, name: v.name };
  return best;
}

function readStatus(pid: number): { hwm: number; rss: number; name: string } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
    const name = /^Name:\s+(.*)$/m.exec(text)?.[1] ?? '';
    return { hwm: kb('VmHWM'), rss: kb('VmRSS'), name };
  } catch {
    return null; // exited between listing and reading
  }
}

function parentOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: fields start after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return null;
  }
}

export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const pid = Number(d);
    const ppid = parentOf(pid);
    if (ppid === null) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const c of children.get(p) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** CPU seconds (user + system) used so far by a process tree. */
export function treeCpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of [root, ...descendants(root)]) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(rest[11]) + Number(rest[12]);
    } catch {
      // exited
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/**
 * Waits until the tree uses under `maxCores` of CPU over a `windowMs` window (background merges have
 * settled), or `timeoutMs` passes. Returns how long it waited.
 */
export async function waitIdle(root: number, { maxCores = 0.05, windowMs = 3000, timeoutMs = 180_000 } = {}): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const c0 = treeCpuSeconds(root);
    await sleep(windowMs);
    const used = (treeCpuSeconds(root) - c0) / (windowMs / 1000);
    if (used < maxCores || Date.now() - t0 > timeoutMs) return Date.now() - t0;
  }
}

/** The last `n` characters of a log, for error messages. */
export function tail(file: string, n = 2000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-n);
  } catch {
    return '';
  }
}
