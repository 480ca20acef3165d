import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/free-port';
export { freePort };

/**
 * Servers for the reliability scenarios: each one its own `next start` process on a free 127.0.0.1
 * port with its own data directory, so a scenario can kill -9 it without touching any other server.
 * `next start` is spawned directly (not through scripts/start.mjs) so that a restart after a kill
 * never turns into a rebuild because someone edited a source file meanwhile; `ensureBuilt` builds once.
 * The crash scenario is the exception (`launcher: 'npm-start'`): restarting the way users and supervisors
 * do is what it tests.
 */
export const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NEXT_BIN = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
export const API_TOKEN = 'rel-api-token';
export const INGEST_TOKEN = 'rel-ingest-token';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const START = path.join(ROOT, 'scripts', 'start.mjs');

const SOURCES = ['app', 'lib', 'ingest', 'clickhouse', 'components', 'instrumentation.ts', 'proxy.ts', 'next.config.js', 'package.json', 'postcss.config.mjs'];
function newest(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
}

/** Same rule as scripts/start.mjs: build when there is no build or a source is newer. */
export function ensureBuilt(log: (s: string) => void = () => undefined): void {
  const buildId = path.join(ROOT, '.next', 'BUILD_ID');
  const builtAt = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
  if (builtAt > 0 && Math.max(...SOURCES.map((s) => newest(path.join(ROOT, s)))) <= builtAt) return;
  log('building (next build)…');
  const r = spawnSync(process.execPath, [NEXT_BIN, 'build'], { cwd: ROOT, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: 'ignore' });
  if (r.status !== 0) throw new Error('next build failed');
}

export interface ServerOptions {
  dataDir?: string;
  demo?: boolean;
  env?: Record<string, string>;
  /** How long to wait for /api/health (ms). */
  readyTimeoutMs?: number;
  /** Wait for /api/health 200; false: only for the port to answer at all. */
  waitHealthy?: boolean;
  /** Host name in the server's URL and NEXTAUTH_URL (it listens on 127.0.0.1 either way). */
  host?: 'localhost' | '127.0.0.1';
  /** 'npm-start': scripts/start.mjs (what `npm start` runs), leading a group with the server it spawns. */
  launcher?: 'next' | 'npm-start';
}

export class TestServer {
  readonly url: string;
  readonly dataDir: string;
  proc: ChildProcess | undefined;
  /** Milliseconds from spawn to ready, per start. */
  readonly startTimes: number[] = [];
  /** When the last start was spawned (Date.now()). */
  spawnedAt = 0;
  private readonly logFile: string;

  private constructor(readonly port: number, dataDir: string, private readonly opts: ServerOptions) {
    this.url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
    this.dataDir = dataDir;
    this.logFile = path.join(os.tmpdir(), `ct-rel-${port}.log`);
  }

  static async start(opts: ServerOptions = {}): Promise<TestServer> {
    const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ct-rel-'));
    const s = new TestServer(await freePort(), dataDir, opts);
    await s.launch();
    return s;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  log(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** Starts the process and waits until it is ready; returns the start time in ms. */
  async launch(): Promise<number> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(this.port),
      CT_DATA_DIR: this.dataDir,
      CT_DEMO: this.opts.demo ? '1' : '0',
      CT_API_TOKEN: API_TOKEN,
      CT_INGEST_TOKEN: INGEST_TOKEN,
      NEXTAUTH_SECRET: 'reliability-secret',
      NEXTAUTH_URL: this.url,
      NEXT_TELEMETRY_DISABLED: '1',
    };
    for (const k of ['CT_USERS_FILE', 'CLICKHOUSE_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'NODE_OPTIONS'] as const) delete env[k];
    Object.assign(env, this.opts.env ?? {});
    const out = fs.openSync(this.logFile, 'a');
    const started = Date.now();
    const args = this.opts.launcher === 'npm-start' ? [START] : [NEXT_BIN, 'start', '-p', String(this.port), '-H', '127.0.0.1'];
    this.spawnedAt = started;
    this.proc = spawn(process.execPath, args, {
      cwd: ROOT,
      env,
      stdio: ['ignore', out, out],
      detached: true,
    });
    fs.closeSync(out);
    const deadline = started + (this.opts.readyTimeoutMs ?? 120_000);
    for (;;) {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
        throw new Error(`server on ${this.port} exited early:\n${this.log().slice(-2000)}`);
      }
      try {
        const res = await fetch(`${this.url}/api/health`, { signal: AbortSignal.timeout(2000) });
        if (res.ok || this.opts.waitHealthy === false) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`server on ${this.port} not ready in time:\n${this.log().slice(-2000)}`);
      await sleep(100);
    }
    const ms = Date.now() - started;
    this.startTimes.push(ms);
    return ms;
  }

  alive(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The crash: SIGKILL to the server's process group, then wait until it is gone. */
  async kill9(): Promise<void> {
    const p = this.proc;
    if (!p?.pid || !this.alive()) return;
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    this.kill9Now();
    await gone;
  }

  /** SIGKILL to the whole process group, without waiting: the processes may still be dying on return. */
  kill9Now(): void {
    const p = this.proc;
    if (!p?.pid || !this.alive()) return;
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p?.pid || !this.alive()) return;
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    try {
      process.kill(-p.pid, 'SIGTERM');
    } catch {
      return;
    }
    const t = setTimeout(() => {
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        // exited on SIGTERM
      }
    }, 5000);
    await gone;
    clearTimeout(t);
  }

  /** Resident memory of the server process in MiB (Linux /proc), or NaN. */
  rssMiB(): number {
    try {
      const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
      return m ? Number(m[1]) / 1024 : NaN;
    } catch {
      return NaN;
    }
  }

  /** Peak resident memory (VmHWM) in MiB. */
  peakMiB(): number {
    try {
      const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const m = /VmHWM:\s+(\d+)\s+kB/.exec(status);
      return m ? Number(m[1]) / 1024 : NaN;
    } catch {
      return NaN;
    }
  }

  async dispose(keep = false): Promise<void> {
    await this.stop();
    fs.rmSync(this.logFile, { force: true });
    if (!keep && !this.opts.dataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
