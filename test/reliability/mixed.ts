import { get, post, type Answer } from './client';
import { inspectStore, liveEvent } from './data';
import { TestServer, sleep } from './server';
import { latencyLine, percentile, pct, Recorder, ms, type ScenarioResult } from './stats';

export interface MixedOptions {
  seconds: number;
  users?: number;
  /** Dashboard requests per second, all users together. */
  readRate?: number;
  eventsPerSecond?: number;
  /** Ingest batches per second (each eventsPerSecond / batchesPerSecond events). */
  batchesPerSecond?: number;
  /** A running server to load (not stopped, no store check); its own tokens when it is not a TestServer's. */
  server?: { url: string; apiToken?: string; ingestToken?: string };
  say?: (s: string) => void;
}

const DAY = 86_400_000;
const iso = (t: number) => encodeURIComponent(new Date(t).toISOString());

/** What a dashboard user calls: the pages' KPI requests plus drill-downs into lists. */
function dashboardMix(now: number, corr: string[], exc: string[]): (() => string)[] {
  const win = (days: number) => `from=${iso(now - days * DAY)}&to=${iso(now)}`;
  const pick = (xs: string[]) => xs[Math.floor(Math.random() * xs.length)] ?? 'none';
  return [
    () => `/api/v1/kpi/summary?${win(30)}`,
    () => `/api/v1/kpi/sync-lag?${win(1)}`,
    () => `/api/v1/kpi/sync-lag?${win(7)}`,
    () => `/api/v1/kpi/sync-lag/series?${win(7)}`,
    () => `/api/v1/kpi/sync-lag/breakdown?${win(1)}`,
    () => `/api/v1/kpi/exception-aging`,
    () => `/api/v1/kpi/invoice-latency?${win(30)}`,
    () => `/api/v1/kpi/invoice-latency/unposted`,
    () => `/api/v1/kpi/drift`,
    () => `/api/v1/kpi/drift/skus`,
    () => `/api/v1/kpi/close-readiness`,
    () => `/api/v1/exceptions?status=open`,
    () => `/api/v1/pipeline/health?${win(1)}`,
    () => `/api/v1/correlations/${encodeURIComponent(pick(corr))}`,
    () => `/api/v1/correlations/${encodeURIComponent(pick(corr))}`,
    () => `/api/v1/exceptions/${encodeURIComponent(pick(exc))}`,
    () => `/api/v1/search?q=${encodeURIComponent(pick(corr))}`,
  ];
}

async function drillTargets(base: string, token?: string): Promise<{ corr: string[]; exc: string[] }> {
  const unposted = await get(base, '/api/v1/kpi/invoice-latency/unposted?limit=200', 60_000, token);
  const open = await get(base, '/api/v1/exceptions?status=all&limit=200', 60_000, token);
  const corr = ((unposted.body as { items?: { correlation_id: string }[] })?.items ?? []).map((i) => i.correlation_id);
  const items = (open.body as { items?: { exception_id: string; correlation_id: string }[] })?.items ?? [];
  return { corr: [...corr, ...items.map((i) => i.correlation_id)], exc: items.map((i) => i.exception_id) };
}

export async function mixedScenario(opts: MixedOptions): Promise<ScenarioResult> {
  const users = opts.users ?? 25;
  const readRate = opts.readRate ?? 8;
  const eps = opts.eventsPerSecond ?? 2000;
  const bps = opts.batchesPerSecond ?? 4;
  const rec = new Recorder(`Mixed load: ${users} dashboard users (~${readRate} req/s) while ingesting ${eps} events/s for ${opts.seconds} s`, opts.say);
  const own = opts.server ? undefined : await TestServer.start({ demo: true, readyTimeoutMs: 300_000 });
  const server: NonNullable<MixedOptions['server']> = opts.server ?? own!;
  const ingestAuth = server.ingestToken ? { headers: { authorization: `Bearer ${server.ingestToken}` } } : {};
  try {
    const { corr, exc } = await drillTargets(server.url, server.apiToken);
    const mix = dashboardMix(Date.now(), corr, exc);
    const reads: Answer[] = [];
    const readsBy = new Map<string, number[]>();
    const acks: Answer[] = [];
    const end = Date.now() + opts.seconds * 1000;
    const perBatch = Math.round(eps / bps);
    let sentEvents = 0;

    // Ingest: an open loop on a fixed schedule, so a slow acknowledgement shows as latency (and
    // more batches in flight) instead of quietly lowering the offered rate.
    const ingest = (async () => {
      const inflight: Promise<void>[] = [];
      const start = Date.now();
      for (let i = 0; ; i++) {
        const at = start + (i * 1000) / bps;
        if (at >= end) break;
        await sleep(Math.max(0, at - Date.now()));
        const now = Date.now();
        const body = Array.from({ length: perBatch }, (_, k) => JSON.stringify(liveEvent(`mx${i}`, k, now))).join('\n');
        sentEvents += perBatch;
        inflight.push(post(server.url, body, { timeoutMs: 30_000, ...ingestAuth }).then((a) => void acks.push(a)));
      }
      await Promise.all(inflight);
    })();

    // Dashboard users: each waits a random think time sized so that all together make ~readRate req/s.
    const think = (users / readRate) * 1000;
    const user = async () => {
      await sleep(Math.random() * think);
      while (Date.now() < end) {
        const f = mix[Math.floor(Math.random() * mix.length)]!;
        const p = f();
        const a = await get(server.url, p, 30_000, server.apiToken);
        reads.push(a);
        const key = p.split('?')[0]!.replace(/\/(correlations|exceptions)\/[^/]+$/, '/$1/{id}');
        readsBy.set(key, [...(readsBy.get(key) ?? []), a.ms]);
        await sleep(think * (0.5 + Math.random()));
      }
    };
    await Promise.all([ingest, ...Array.from({ length: users }, user)]);

    const readErrors = reads.filter((a) => a.status !== 200 && a.status !== 404);
    const ackErrors = acks.filter((a) => a.status !== 200);
    const readLat = reads.map((a) => a.ms);
    const ackLat = acks.map((a) => a.ms);
    const errorRate = (readErrors.length + ackErrors.length) / Math.max(1, reads.length + acks.length);
    rec.note(`dashboard: ${reads.length} requests (${(reads.length / opts.seconds).toFixed(1)} req/s), ${latencyLine(readLat)}`);
    rec.note(`ingest: ${acks.length} batches of ${perBatch} (${Math.round(sentEvents / opts.seconds)} events/s offered), acks ${latencyLine(ackLat)}`);
    const slowest = [...readsBy].map(([k, v]) => [k, percentile(v, 0.95)] as const).sort((a, b) => b[1] - a[1]).slice(0, 4);
    rec.note(`slowest dashboard calls (p95): ${slowest.map(([k, v]) => `${k} ${ms(v)}`).join(', ')}`);
    if (readErrors.length + ackErrors.length > 0) {
      const sample = [...readErrors, ...ackErrors].slice(0, 3).map((a) => `${a.status} ${a.error ?? a.text.slice(0, 80)}`);
      rec.note(`errors: ${sample.join(' | ')}`);
    }
    rec.check('ingest: every batch acknowledged 200', ackErrors.length === 0, `${acks.length - ackErrors.length} of ${acks.length}`, 'all');
    rec.check('dashboard: no failed request', readErrors.length === 0, `${readErrors.length} of ${reads.length}`, '0');
    rec.check('dashboard p95', percentile(readLat, 0.95) < 500, ms(percentile(readLat, 0.95)), '< 500 ms', true);
    rec.check('ingest ack p99', percentile(ackLat, 0.99) < 1000, ms(percentile(ackLat, 0.99)), '< 1000 ms', true);
    rec.check('error rate', errorRate < 0.001, pct(errorRate), '< 0.1 %', true);
    rec.figures = {
      reads: reads.length, read_errors: readErrors.length, read_p50_ms: percentile(readLat, 0.5), read_p95_ms: percentile(readLat, 0.95),
      read_p99_ms: percentile(readLat, 0.99), read_max_ms: readLat.length ? Math.max(...readLat) : NaN, batches: acks.length, batch_events: perBatch,
      ack_errors: ackErrors.length, ack_p50_ms: percentile(ackLat, 0.5), ack_p99_ms: percentile(ackLat, 0.99), events_offered_per_s: sentEvents / opts.seconds,
    };
    if (own) {
      const stored = await liveRows(own);
      rec.check('every acknowledged live event stored once', stored.live === sentEvents && stored.dup === 0, `${stored.live} stored, ${stored.dup} duplicated`, String(sentEvents));
    }
  } finally {
    if (own) await own.dispose();
  }
  return rec.result();
}

/** Stops the server and counts its rows: live events are the ones beyond the demo seed. */
async function liveRows(server: TestServer): Promise<{ live: number; dup: number }> {
  await server.stop();
  const c = inspectStore(server.dataDir);
  const demo = Number(/demo data: (\d+) events/.exec(server.log())?.[1] ?? NaN);
  return { live: c.distinct - demo, dup: c.rows - c.distinct };
}
