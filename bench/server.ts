import fs from 'node:fs';
import path from 'node:path';
import { CALLS_WARM, type Probe } from './kpis';
import { freePort, spawnTracked, tail, treePeak, waitIdle, type Tracked } from './procs';
import { percentile, sleep } from './stats';

/**
 * The server side of the bench: `node scripts/start.mjs` exactly as users start it, and every KPI endpoint
 * timed over HTTP (the NDJSON posting is in http-ingest.ts).
 */

export const API_TOKEN = 'bench-api-token';
export const INGEST_TOKEN = 'bench-ingest-token';

export interface Server {
  url: string;
  proc: Tracked;
  built: boolean;
  readySeconds: number;
  logFile: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `extraEnv`: settings of this start (e.g. CT_READ_MAX_AGE_S=0 to time computed reads, CT_USERS_FILE). */
export async function startServer(root: string, dataDir: string, logFile: string, extraEnv: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    CT_DATA_DIR: dataDir,
    CT_DEMO: '0',
    NEXTAUTH_SECRET: 'bench',
    CT_API_TOKEN: API_TOKEN,
    CT_INGEST_TOKEN: INGEST_TOKEN,
  };
  for (const k of ['CT_USERS_FILE', 'CLICKHOUSE_URL', 'CLICKHOUSE_CLUSTER', 'NEXTAUTH_URL', 'CT_CONFIG_FILE', 'CT_FORCE_RAW', 'CT_READ_MAX_AGE_S'] as const) delete env[k];
  Object.assign(env, extraEnv);
  const proc = spawnTracked(process.execPath, ['scripts/start.mjs'], { cwd: root, env, logFile });
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  // Generous: the first start after a source change runs `next build` (minutes on 2 cores).
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`the server exited during start; log ${logFile}:\n${tail(logFile)}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`the server did not become healthy in 20 min; log ${logFile}:\n${tail(logFile)}`);
    }
    await sleep(500);
  }
  const built = fs.readFileSync(logFile, 'utf8').includes('building the dashboard');
  // `next build` ran in this tree too; its peak is not the server's, and it has exited by now.
  for (const pid of [...proc.peaks.keys()]) if (!isAlive(pid)) proc.peaks.delete(pid);
  return { url, proc, built, readySeconds: (performance.now() - t0) / 1000, logFile };
}

export interface KpiTiming {
  key: string;
  status: 'ok' | 'not available' | 'error';
  cold_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  figure: number | null;
  error: string | null;
}

async function call(url: string, p: string): Promise<{ ms: number; status: number; body: unknown }> {
  const t0 = performance.now();
  const res = await fetch(`${url}${p}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  const text = await res.text();
  const ms = performance.now() - t0;
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text.slice(0, 200);
  }
  return { ms, status: res.status, body };
}

export async function kpiLatency(url: string, probes: readonly Probe[], log: (s: string) => void): Promise<KpiTiming[]> {
  const out: KpiTiming[] = [];
  for (const probe of probes) {
    const first = await call(url, probe.path);
    if (first.status === 404 && probe.raw !== 'correlation') {
      out.push({ key: probe.key, status: 'not available', cold_ms: null, p50_ms: null, p95_ms: null, figure: null, error: 'HTTP 404' });
      log(`  ${probe.key}: not available (404)`);
      continue;
    }
    if (first.status !== 200) {
      const msg = `HTTP ${first.status}: ${JSON.stringify(first.body).slice(0, 300)}`;
      out.push({ key: probe.key, status: 'error', cold_ms: first.ms, p50_ms: null, p95_ms: null, figure: null, error: msg });
      log(`  ${probe.key}: ${msg}`);
      continue;
    }
    const warm: number[] = [];
    let last = first;
    for (let i = 0; i < CALLS_WARM; i++) {
      last = await call(url, probe.path);
      if (last.status !== 200) break;
      warm.push(last.ms);
    }
    const failed = last.status !== 200 ? `HTTP ${last.status} on a warm call` : null;
    out.push({
      key: probe.key,
      status: failed ? 'error' : 'ok',
      cold_ms: first.ms,
      p50_ms: percentile(warm, 0.5),
      p95_ms: percentile(warm, 0.95),
      figure: probe.figure ? probe.figure(last.body) : null,
      error: failed,
    });
    log(`  ${probe.key}: cold ${first.ms.toFixed(0)} ms, p50 ${percentile(warm, 0.5)?.toFixed(1)} ms, p95 ${percentile(warm, 0.95)?.toFixed(1)} ms`);
  }
  return out;
}

/**
 * After ingest the engine merges parts and the refresher builds its rollups in the background; KPI timings
 * should not include that. Besides an idle tree, waits for a flow snapshot that covers every event ingested
 * before this call (the refresher logs each one; ingest/flow-snapshot.ts), so Flow reads time the snapshot
 * path rather than the re-evaluation of the load's last minute.
 */
export async function settleServer(server: Server): Promise<number> {
  const t0 = Date.now();
  await waitIdle(server.proc.pid, { maxCores: 0.1, windowMs: 3000, timeoutMs: 180_000 });
  while (Date.now() - t0 < 300_000 && flowCoveredBefore(server.logFile) < t0) await sleep(1000);
  await waitIdle(server.proc.pid, { maxCores: 0.1, windowMs: 3000, timeoutMs: 180_000 });
  return Date.now() - t0;
}

/** The latest "covers events ingested before" time the server logged for a flow snapshot (0: none). */
function flowCoveredBefore(logFile: string): number {
  let text = '';
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return 0;
  }
  const times = [...text.matchAll(/flow snapshot \d+: \d+ rows, covers events ingested before (\S+),/g)].map((m) => Date.parse(m[1]!));
  return Math.max(0, ...times.filter((t) => Number.isFinite(t)));
}

export function serverPeak(server: Server) {
  return treePeak(server.proc);
}

export const serverLog = (outDir: string) => path.join(outDir, 'server.log');
