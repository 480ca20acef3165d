import { newLog, post, sendUntilAcked, type Answer } from './client';
import { inspectStore, liveEvent } from './data';
import { TestServer, sleep } from './server';
import { Recorder, type ScenarioResult } from './stats';

export interface BackpressureOptions {
  /** Concurrent clients each sending one big NDJSON body at the same moment. */
  clients: number;
  /** Lines per NDJSON body (≈ 290 bytes each). */
  lines: number;
  /** Concurrent OTLP exporters, each sending one body of `spans` spans. */
  otlpClients: number;
  spans: number;
  say?: (s: string) => void;
}

function ndjson(prefix: string, lines: number, nowMs: number): Buffer {
  return Buffer.from(Array.from({ length: lines }, (_, i) => JSON.stringify(liveEvent(prefix, i, nowMs))).join('\n'));
}

function otlpBody(client: number, spans: number, nowMs: number): Buffer {
  const nanos = (ms: number) => String(BigInt(ms) * 1_000_000n);
  const list = Array.from({ length: spans }, (_, i) => ({
    traceId: `${client.toString(16).padStart(16, '0')}${i.toString(16).padStart(16, '0')}`,
    spanId: i.toString(16).padStart(16, '0'),
    name: 'order_api',
    startTimeUnixNano: nanos(nowMs - 60_000),
    endTimeUnixNano: nanos(nowMs - 60_000 + 1000 + (i % 100) * 10),
    attributes: [
      { key: 'ctl.correlation_id', value: { stringValue: `OT-${client}-${i >> 2}` } },
      { key: 'ctl.warehouse_id', value: { stringValue: 'DC-OTEL' } },
      { key: 'peer.service', value: { stringValue: 'ERP' } },
    ],
  }));
  return Buffer.from(JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'mule' } }] }, scopeSpans: [{ spans: list }] }] }));
}

/** Samples the server's RSS every 50 ms until stopped; returns the peak in MiB. */
function rssSampler(server: TestServer) {
  let peak = 0;
  let on = true;
  const loop = (async () => {
    while (on) {
      const v = server.rssMiB();
      if (Number.isFinite(v)) peak = Math.max(peak, v);
      await sleep(50);
    }
  })();
  return async () => {
    on = false;
    await loop;
    return peak;
  };
}

function tally(answers: Answer[]) {
  const by: Record<string, number> = {};
  for (const a of answers) by[String(a.status)] = (by[String(a.status)] ?? 0) + 1;
  const throttled = answers.filter((a) => a.status === 429 || a.status === 503);
  const messages = [...new Set(throttled.map((a) => (a.body as { error?: { message?: string } })?.error?.message ?? ''))];
  return { by, throttled, withRetryAfter: throttled.filter((a) => Number(a.retryAfter) > 0).length, messages };
}

export async function backpressureScenario(opts: BackpressureOptions): Promise<ScenarioResult> {
  const say = opts.say ?? ((s: string) => console.log(s));
  const rec = new Recorder('Backpressure: bounded queue and memory budget', say);
  const server = await TestServer.start();
  try {
    const now = Date.now();
    const bodies = Array.from({ length: opts.clients }, (_, c) => ndjson(`bp${c}`, opts.lines, now));
    const mib = bodies[0]!.length / 1048576;
    rec.note(`${opts.clients} clients at once, each one ${mib.toFixed(1)} MiB NDJSON body (${opts.lines} events): ${(mib * opts.clients).toFixed(0)} MiB offered; budget CT_MAX_INFLIGHT_BYTES default`);
    const rssIdle = server.rssMiB();
    const stopSampler = rssSampler(server);
    const first = await Promise.all(bodies.map((b) => post(server.url, b)));
    const t = tally(first);
    rec.note(`first attempts by status: ${JSON.stringify(t.by)}; 429 messages: ${t.messages.join(' | ') || 'none'}`);
    rec.check('burst over the budget is refused with 429', (t.by['429'] ?? 0) > 0, t.by['429'] ?? 0, '> 0');
    rec.check('never a 500 or a dropped connection', Object.keys(t.by).every((s) => ['200', '429'].includes(s)), JSON.stringify(t.by), 'only 200 / 429');
    rec.check('every 429 carries Retry-After', t.withRetryAfter === t.throttled.length, `${t.withRetryAfter} of ${t.throttled.length}`, 'all');
    const log = newLog();
    await Promise.all(
      first.map(async (a, i) => {
        if (a.status === 200) return;
        await sendUntilAcked(() => server.url, bodies[i]!, log, Date.now() + 10 * 60_000);
      }),
    );
    const peak = await stopSampler();
    rec.note(`refused bodies resent honouring Retry-After: ${JSON.stringify(log.statuses)}`);
    rec.check('server memory (peak RSS) during the burst', peak < 3072, `${peak.toFixed(0)} MiB (idle ${rssIdle.toFixed(0)} MiB)`, '< 3072 MiB (V8 heap limit 4 GiB)');

    const spansBody = Array.from({ length: opts.otlpClients }, (_, c) => otlpBody(c, opts.spans, now));
    rec.note(`OTLP: ${opts.otlpClients} exporters at once, each ${(spansBody[0]!.length / 1048576).toFixed(1)} MiB (${opts.spans} spans)`);
    const otlpPost = (b: Buffer) => post(server.url, b, { path: '/v1/traces', contentType: 'application/json' });
    const otlpFirst = await Promise.all(spansBody.map(otlpPost));
    const o = tally(otlpFirst);
    rec.note(`OTLP first attempts by status: ${JSON.stringify(o.by)}`);
    rec.check('OTLP burst: 429 with Retry-After, never a 500', Object.keys(o.by).every((s) => ['200', '429'].includes(s)) && o.withRetryAfter === o.throttled.length, `${JSON.stringify(o.by)}, Retry-After on ${o.withRetryAfter} of ${o.throttled.length}`, 'only 200 / 429, all with Retry-After');
    for (let i = 0; i < otlpFirst.length; i++) {
      let a = otlpFirst[i]!;
      for (let k = 0; a.status !== 200 && k < 60; k++) {
        await sleep(Math.min(Number(a.retryAfter) || 1, 5) * 1000);
        a = await otlpPost(spansBody[i]!);
      }
      otlpFirst[i] = a;
    }
    const otlpOk = otlpFirst.every((a) => a.status === 200 && !(a.text.includes('rejectedSpans')));
    rec.check('every OTLP body stored after honouring Retry-After', otlpOk, otlpFirst.map((a) => a.status).join(','), 'all 200');

    await server.stop();
    const c = inspectStore(server.dataDir);
    const expected = opts.clients * opts.lines + opts.otlpClients * opts.spans;
    rec.check('after resends: every event stored exactly once', c.rows === expected && c.distinct === expected, `${c.rows} rows, ${c.distinct} distinct`, String(expected));
  } finally {
    await server.dispose();
  }
  return rec.result();
}
