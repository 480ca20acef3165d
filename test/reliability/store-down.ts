import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { get, newLog, post, sendUntilAcked, type Answer } from './client';
import { liveEvent } from './data';
import { ROOT, TestServer, freePort, sleep } from './server';
import { Recorder, type ScenarioResult } from './stats';

const errorOf = (a: Answer) => (a.body as { error?: { code?: string; message?: string } } | null)?.error;

/** The stand-in ClickHouse server (ch-shim.ts) as a child process on a fixed port and directory. */
class Store {
  private proc: ChildProcess | undefined;
  constructor(readonly port: number, readonly dir: string) {}

  async start(): Promise<void> {
    // tsx as a loader, not its CLI: one process, so SIGKILL really takes the store down.
    const loader = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    this.proc = spawn(process.execPath, ['--import', loader, path.join(ROOT, 'test', 'reliability', 'ch-shim.ts'), String(this.port), this.dir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const p = this.proc;
    await new Promise<void>((resolve, reject) => {
      p.stdout?.on('data', (c: Buffer) => c.toString().includes('listening') && resolve());
      p.once('exit', (code) => reject(new Error(`ch-shim exited (${code})`)));
    });
  }

  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGKILL');
    await gone;
  }
}

/** Polls `f` until it returns true or `ms` pass; returns the milliseconds it took, or NaN. */
async function until(ms: number, f: () => Promise<boolean>): Promise<number> {
  const t = Date.now();
  while (Date.now() - t < ms) {
    if (await f()) return Date.now() - t;
    await sleep(250);
  }
  return NaN;
}

const messages = async (url: string) => (((await get(url, '/api/v1/kpi/sync-lag')).body as { total?: { messages?: number } } | null)?.total?.messages ?? -1);

/**
 * CLICKHOUSE_URL points at a port where nothing listens. There is no ClickHouse server on this
 * machine; the store that "returns" is ch-shim.ts (ClickHouse's HTTP interface over an embedded
 * engine) started on that port. Outage at start, recovery, an outage mid-life, recovery again: the
 * tower process is never restarted.
 */
export async function storeDownScenario(opts: { seconds: number; say?: (s: string) => void }): Promise<ScenarioResult> {
  const rec = new Recorder('Store unavailable: CLICKHOUSE_URL at a closed port, then the store returns', opts.say);
  const port = await freePort();
  const store = new Store(port, fs.mkdtempSync(path.join(os.tmpdir(), 'ct-rel-shim-')));
  let server: TestServer | undefined;
  try {
    try {
      server = await TestServer.start({ env: { CLICKHOUSE_URL: `http://127.0.0.1:${port}` }, waitHealthy: false, readyTimeoutMs: 60_000 });
    } catch (err) {
      rec.check('process stays up when the store is unreachable at start', false, String(err).split('\n').slice(0, 3).join(' ').slice(0, 300), 'serving');
      return rec.result();
    }
    const s = server;
    rec.note(`CLICKHOUSE_URL=http://127.0.0.1:${port} (nothing listening)`);
    const health = await get(s.url, '/api/health');
    rec.check('health while the store is down', health.status === 503 && Number(health.retryAfter) > 0, `${health.status} ${health.text}`, '503 with Retry-After');
    const read = await get(s.url, '/api/v1/kpi/sync-lag');
    rec.check('a KPI read', read.status === 503 && errorOf(read)?.code === 'store_unavailable' && Number(read.retryAfter) > 0, `${read.status} "${errorOf(read)?.message}" (Retry-After ${read.retryAfter})`, '503 store_unavailable + Retry-After');
    const batch = (tag: string) => Array.from({ length: 1000 }, (_, i) => JSON.stringify(liveEvent(`sd-${tag}`, i, Date.now()))).join('\n');
    const first = batch('a');
    const ingest = await post(s.url, first);
    rec.check('ingest', ingest.status === 503 && Number(ingest.retryAfter) > 0, `${ingest.status} "${errorOf(ingest)?.message}" (Retry-After ${ingest.retryAfter})`, '503 + Retry-After');
    const span = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), startTimeUnixNano: `${Date.now() - 1000}000000`, endTimeUnixNano: `${Date.now()}000000`,
      attributes: [{ key: 'ctl.correlation_id', value: { stringValue: 'SD-1' } }, { key: 'ctl.warehouse_id', value: { stringValue: 'DC-SD' } }] };
    const otlp = await post(s.url, JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }), { path: '/v1/traces', contentType: 'application/json' });
    rec.check('OTLP /v1/traces', otlp.status === 503 && Number(otlp.retryAfter) > 0, `${otlp.status} ${otlp.text.slice(0, 120)}`, '503 + Retry-After');

    // Traffic for a while: every answer must be a 503 JSON error, and the process must stay up.
    const paths = ['/api/v1/kpi/summary', '/api/v1/kpi/exception-aging', '/api/v1/exceptions?status=open', '/api/v1/pipeline/health', '/api/v1/search?q=SO-1'];
    const seen: Record<string, number> = {};
    const end = Date.now() + opts.seconds * 1000;
    let n = 0;
    while (Date.now() < end) {
      const a = n % 3 === 0 ? await post(s.url, batch(`t${n}`)) : await get(s.url, paths[n % paths.length]!);
      const key = `${a.status} ${errorOf(a)?.code ?? ''}`.trim();
      seen[key] = (seen[key] ?? 0) + 1;
      n++;
      await sleep(20);
    }
    rec.check(`${n} requests over ${opts.seconds} s of outage`, Object.keys(seen).every((k) => k === '503 store_unavailable'), JSON.stringify(seen), 'all 503 store_unavailable');
    rec.check('process still up during the outage', s.alive(), s.alive() ? `alive, RSS ${s.rssMiB().toFixed(0)} MiB` : 'exited', 'alive');

    // The store comes back: the tower finishes its startup by itself and serves.
    await store.start();
    const recovered = await until(60_000, async () => (await get(s.url, '/api/health')).status === 200);
    rec.check('recovers by itself when the store returns (health 200)', Number.isFinite(recovered), Number.isFinite(recovered) ? `${(recovered / 1000).toFixed(1)} s after the store started` : 'not within 60 s', 'by itself, < 30 s', false);
    const log = newLog();
    await sendUntilAcked(() => s.url, Buffer.from(first), log, Date.now() + 60_000);
    const afterReturn = await messages(s.url);
    rec.check('the batch refused during the outage, resent, is stored', log.accepted === 1000 && afterReturn === 1000, `accepted ${log.accepted}; KPI counts ${afterReturn}`, '1000');

    // An outage mid-life: the store dies under the running tower and comes back.
    await store.kill();
    const second = batch('b');
    const midIngest = await post(s.url, second);
    const midRead = await get(s.url, '/api/v1/kpi/sync-lag');
    rec.check('store killed under a running tower: ingest and reads', midIngest.status === 503 && midRead.status === 503 && Number(midIngest.retryAfter) > 0, `ingest ${midIngest.status}, read ${midRead.status} "${errorOf(midRead)?.message}"`, '503 + Retry-After');
    await store.start();
    const t = Date.now();
    await sendUntilAcked(() => s.url, Buffer.from(second), log, Date.now() + 60_000);
    await sendUntilAcked(() => s.url, Buffer.from(first), log, Date.now() + 60_000);
    const final = await messages(s.url);
    rec.check('after the store returns: resent batches stored once', final === 2000 && log.duplicates === 1000, `${final} messages; duplicates on the resend of the first batch: ${log.duplicates}`, '2000, 1000 duplicates');
    rec.note(`mid-life recovery: first acknowledgement ${Date.now() - t} ms after the store restarted; attempts ${JSON.stringify(log.statuses)}`);
    rec.check('process never restarted', s.alive() && s.startTimes.length === 1, s.alive() ? `alive, pid ${s.pid}` : 'exited', 'alive, same process');
  } finally {
    await server?.dispose();
    await store.kill();
    fs.rmSync(store.dir, { recursive: true, force: true });
  }
  return rec.result();
}
