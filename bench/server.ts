import fs from 'node:fs';
import path from 'node:path';
import { CALLS_WARM, type Probe } from './kpis';
import { freePort, spawnTracked, tail, treePeak, waitIdle, type Tracked } from './procs';
import { percentile, sleep } from './stats';

/**
 * The server side of the bench: `node scripts/start.mjs` exactly as users start it, NDJSON posted to
 * /api/v1/ingest by concurrent clients, then every KPI endpoint timed over HTTP.
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

export async function startServer(root: string, dataDir: string, logFile: string): Promise<Server> {
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
  for (const k of ['CT_USERS_FILE', 'CLICKHOUSE_URL', 'CLICKHOUSE_CLUSTER', 'NEXTAUTH_URL', 'CT_CONFIG_FILE', 'CT_FORCE_RAW'] as const) delete env[k];
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

/** NDJSON bodies of at most `target` bytes, cut at line ends, read from the file as they are needed. */
async function* bodies(file: string, target: number): AsyncGenerator<{ bytes: Buffer; lines: number }> {
  let parts: Buffer[] = [];
  let size = 0;
  let lines = 0;
  let carry = Buffer.alloc(0);
  const take = () => {
    const body = { bytes: Buffer.concat(parts), lines };
    parts = [];
    size = 0;
    lines = 0;
    return body;
  };
  for await (const piece of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = carry.length > 0 ? Buffer.concat([carry, piece]) : piece;
    let seg = 0;
    let pos = 0;
    for (let nl = buf.indexOf(10, pos); nl >= 0; nl = buf.indexOf(10, pos)) {
      const pendingSize = size + (pos - seg);
      if (pendingSize > 0 && pendingSize + (nl + 1 - pos) > target) {
        parts.push(buf.subarray(seg, pos));
        size += pos - seg;
        seg = pos;
        yield take();
      }
      lines++;
      pos = nl + 1;
    }
    if (pos > seg) {
      parts.push(buf.subarray(seg, pos));
      size += pos - seg;
    }
    carry = Buffer.from(buf.subarray(pos));
  }
  if (carry.length > 0) {
    parts.push(carry);
    size += carry.length;
    lines++;
  }
  if (size > 0) yield take();
}

export interface HttpIngest {
  seconds: number;
  events: number;
  requests: number;
  retries: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  bodyMiB: { min: number; max: number };
  ackMs: { p50: number | null; p99: number | null; max: number | null };
  clients: number;
}

export async function httpIngest(url: string, file: string, clients: number, targetBytes: number): Promise<HttpIngest> {
  const source = bodies(file, targetBytes);
  const acks: number[] = [];
  const totals = { accepted: 0, duplicates: 0, rejected: 0, events: 0, requests: 0, retries: 0 };
  let minB = Infinity;
  let maxB = 0;
  const worker = async () => {
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      const { bytes, lines } = next.value;
      minB = Math.min(minB, bytes.length);
      maxB = Math.max(maxB, bytes.length);
      for (let attempt = 0; ; attempt++) {
        const t0 = performance.now();
        const res = await fetch(`${url}/api/v1/ingest`, {
          method: 'POST',
          headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/x-ndjson' },
          body: new Uint8Array(bytes),
        });
        const body = (await res.json()) as { accepted?: number; duplicates?: number; rejected?: number; error?: { message?: string } };
        if ((res.status === 429 || res.status === 503) && attempt < 50) {
          totals.retries++;
          await sleep(1000 * Math.max(1, Number(res.headers.get('retry-after')) || 1));
          continue;
        }
        if (res.status !== 200 && res.status !== 207) throw new Error(`POST /api/v1/ingest answered ${res.status}: ${body.error?.message ?? ''}`);
        acks.push(performance.now() - t0);
        totals.requests++;
        totals.events += lines;
        totals.accepted += body.accepted ?? 0;
        totals.duplicates += body.duplicates ?? 0;
        totals.rejected += body.rejected ?? 0;
        break;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const { events, requests, retries, accepted, duplicates, rejected } = totals;
  return {
    seconds, events, requests, retries, accepted, duplicates, rejected, clients,
    bodyMiB: { min: minB / 1048576, max: maxB / 1048576 },
    ackMs: { p50: percentile(acks, 0.5), p99: percentile(acks, 0.99), max: percentile(acks, 1) },
  };
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

/** After ingest the engine merges parts in the background; KPI timings should not include that. */
export async function settleServer(server: Server): Promise<number> {
  return waitIdle(server.proc.pid, { maxCores: 0.1, windowMs: 3000, timeoutMs: 180_000 });
}

export function serverPeak(server: Server) {
  return treePeak(server.proc);
}

export const serverLog = (outDir: string) => path.join(outDir, 'server.log');
