import { get, newLog, pool, post, sendUntilAcked, type Answer } from './client';
import { demoBatches, liveEvent } from './data';
import { TestServer, sleep } from './server';
import { latencyLine, percentile, Recorder, ms, type ScenarioResult } from './stats';

export interface RunawayOptions {
  /** Seconds of steady ingest measured alone, then the same with runaway readers. */
  seconds: number;
  /** Demo month volume loaded first (1 ≈ 80k events). */
  scale?: number;
  /** Concurrent clients firing the heaviest queries back to back. */
  runaways?: number;
  /** Read-session guards for this server (the defaults, 20 s / 2 GB, need far more data than a test holds). */
  maxSeconds?: number;
  maxMemoryBytes?: number;
  eventsPerSecond?: number;
  server?: TestServer;
  say?: (s: string) => void;
}

const iso = (t: string) => encodeURIComponent(t);
/** Every warehouse (no filter) over a century: the queries a careless dashboard link produces. */
const HUGE = `from=${iso('2000-01-01T00:00:00Z')}&to=${iso('2100-01-01T00:00:00Z')}`;
const RUNAWAY_PATHS = [
  `/api/v1/kpi/summary?${HUGE}`,
  `/api/v1/kpi/sync-lag/series?${HUGE}`,
  `/api/v1/kpi/sync-lag/breakdown?${HUGE}`,
  `/api/v1/kpi/invoice-latency?${HUGE}`,
  `/api/v1/pipeline/health?${HUGE}`,
  `/api/v1/kpi/exception-aging?${HUGE}`,
];

const codeOf = (a: Answer) => (a.body as { error?: { code?: string } } | null)?.error?.code ?? '';

/** Ingests `eps` events/s in 4 batches a second for `seconds`; returns each acknowledgement. */
async function steadyIngest(base: string, seconds: number, eps: number, prefix: string): Promise<Answer[]> {
  const acks: Answer[] = [];
  const inflight: Promise<void>[] = [];
  const bps = 4;
  const per = Math.round(eps / bps);
  const start = Date.now();
  for (let i = 0; i < seconds * bps; i++) {
    await sleep(Math.max(0, start + (i * 1000) / bps - Date.now()));
    const now = Date.now();
    const body = Array.from({ length: per }, (_, k) => JSON.stringify(liveEvent(`${prefix}${i}`, k, now))).join('\n');
    inflight.push(post(base, body, { timeoutMs: 60_000 }).then((a) => void acks.push(a)));
  }
  await Promise.all(inflight);
  return acks;
}

export async function runawayScenario(opts: RunawayOptions): Promise<ScenarioResult> {
  const maxSeconds = opts.maxSeconds ?? 0.02;
  const maxMemory = opts.maxMemoryBytes ?? 8_000_000;
  const runaways = opts.runaways ?? 4;
  const eps = opts.eventsPerSecond ?? 1000;
  const rec = new Recorder(`Runaway queries: ${runaways} clients firing century-wide, all-warehouse queries while ingesting ${eps} events/s`, opts.say);
  const server =
    opts.server ?? (await TestServer.start({ env: { CT_QUERY_MAX_SECONDS: String(maxSeconds), CT_QUERY_MAX_MEMORY_BYTES: String(maxMemory) } }));
  try {
    const { batches, events } = demoBatches({ endMs: Date.now(), scale: opts.scale ?? 4, batchSize: 5000 });
    const loaded = newLog();
    await pool(batches, 3, async (b) => void (await sendUntilAcked(() => server.url, b, loaded, Date.now() + 10 * 60_000)));
    rec.note(`loaded ${events} demo events (${loaded.accepted} accepted)`);
    rec.note(`read guards for this server: max_execution_time ${maxSeconds} s, max_memory_usage ${(maxMemory / 1048576).toFixed(0)} MiB (defaults 20 s / 2 GB, scaled down to this data volume; the write session keeps the defaults)`);
    // The guards are tight enough that a busy moment (merges after the load) can push even a small query over.
    let small = await get(server.url, '/api/v1/kpi/sync-lag?warehouse=DC-ATL');
    let attempts = 1;
    for (; small.status !== 200 && attempts < 3; attempts++) small = await get(server.url, '/api/v1/kpi/sync-lag?warehouse=DC-ATL');
    rec.check('an ordinary query (one warehouse, last 24 h) within the guards', small.status === 200, `${small.status} (attempt ${attempts})`, '200 within 3 attempts');

    const alone = await steadyIngest(server.url, opts.seconds, eps, 'ra-alone-');
    let on = true;
    const answers: Answer[] = [];
    const runaway = async (n: number) => {
      for (let i = n; on; i++) {
        answers.push(await get(server.url, RUNAWAY_PATHS[i % RUNAWAY_PATHS.length]!, 60_000));
      }
    };
    const firing = Array.from({ length: runaways }, (_, n) => runaway(n));
    await sleep(500);
    const during = await steadyIngest(server.url, opts.seconds, eps, 'ra-during-');
    on = false;
    await Promise.all(firing);

    const by: Record<string, number> = {};
    for (const a of answers) by[`${a.status} ${codeOf(a)}`.trim()] = (by[`${a.status} ${codeOf(a)}`.trim()] ?? 0) + 1;
    const refused = answers.filter((a) => a.status === 429 && codeOf(a) === 'overloaded');
    const reasons = [...new Set(refused.map((a) => (a.body as { error?: { message?: string } } | null)?.error?.message ?? ''))];
    rec.note(`runaway answers: ${JSON.stringify(by)}; refusals: ${reasons.map((m) => `"${m}"`).join(', ') || 'none'} (Retry-After ${refused[0]?.retryAfter ?? '-'})`);
    rec.note(`runaway latency: ${latencyLine(answers.map((a) => a.ms))}`);
    rec.check('runaways hit a guard and fail cleanly (429 overloaded + Retry-After)', refused.length > 0 && refused.every((a) => Number(a.retryAfter) > 0), `${refused.length} of ${answers.length}`, '> 0, all with Retry-After');
    rec.check('both guards seen (time and memory)', reasons.some((m) => m.includes('time')) && reasons.some((m) => m.includes('memory')), reasons.map((m) => (m.includes('time') ? 'time' : 'memory')).join(' + ') || 'none', 'time + memory');
    const internal = server.log().split('\n').filter((l) => l.startsWith('[api] internal'));
    if (internal.length) rec.note(`server log: ${internal.slice(0, 3).join(' | ').slice(0, 600)}`);
    rec.check('never a 500 or a dropped connection', answers.every((a) => a.status === 200 || a.status === 429), JSON.stringify(by), 'only 200 / 429');
    const ok = (xs: Answer[]) => xs.filter((a) => a.status === 200).length;
    rec.check('every ingest batch acknowledged while runaways run', ok(during) === during.length && ok(alone) === alone.length, `${ok(alone)}/${alone.length} alone, ${ok(during)}/${during.length} during`, 'all');
    const p99a = percentile(alone.map((a) => a.ms), 0.99);
    const p99d = percentile(during.map((a) => a.ms), 0.99);
    rec.note(`ingest acks alone: ${latencyLine(alone.map((a) => a.ms))}`);
    rec.note(`ingest acks during runaways: ${latencyLine(during.map((a) => a.ms))}`);
    rec.check('ingest ack p99 while runaways run', p99d < 1000, `${ms(p99d)} (alone ${ms(p99a)})`, '< 1000 ms', true);
    rec.check('process still up', server.alive(), server.alive() ? 'alive' : 'exited', 'alive');
  } finally {
    if (!opts.server) await server.dispose();
  }
  return rec.result();
}
