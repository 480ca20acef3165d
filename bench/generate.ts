import fs from 'node:fs';
import { generateDemo, type DemoEvent } from '@/ingest/demo';

/**
 * Writes exactly N demo events as NDJSON, streaming (the generator yields a transaction at a time).
 * The demo's volume is `fixed + perScale × scale` (nightly stock counts do not scale), so two small
 * calibration runs give the scale for N; a small margin makes the run end a few transactions past N
 * and the file stops at exactly N lines. What was cut off is counted and reported, not hidden.
 */

const DAY = 86_400_000;
const BATCH_BYTES = 1 << 20;

export interface Generated {
  file: string;
  events: number;
  bytes: number;
  scale: number;
  days: number;
  startMs: number;
  endMs: number;
  /** Events the generator produced past N (the tail of its last day, dropped). */
  cutOff: number;
  /** An order correlation with an exception, from the middle of the data: the drill-down probe. */
  correlationId: string;
  seconds: number;
}

function count(endMs: number, days: number, scale: number): number {
  let n = 0;
  for (const _ of generateDemo({ endMs, days, scale })) n++;
  return n;
}

/** fixed and per-scale event counts for `days` days; fewer days when N is too small for 30. */
function calibrate(n: number, endMs: number): { days: number; fixed: number; perScale: number } {
  for (let days = 30; ; days = Math.max(1, Math.floor(days / 2))) {
    const one = count(endMs, days, 1);
    const two = count(endMs, days, 2);
    const perScale = Math.max(1, two - one);
    const fixed = Math.max(0, one - perScale);
    if (fixed <= 0.6 * n || days === 1) return { days, fixed, perScale };
  }
}

async function writeExactly(file: string, n: number, opts: { endMs: number; days: number; scale: number }) {
  const out = fs.createWriteStream(file);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  let written = 0;
  let produced = 0;
  let bytes = 0;
  let batch: string[] = [];
  let batchBytes = 0;
  let correlationId = '';
  const flush = async () => {
    if (batch.length === 0) return;
    const text = batch.join('');
    batch = [];
    batchBytes = 0;
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', r));
  };
  for (const ev of generateDemo(opts)) {
    produced++;
    if (written >= n) continue; // keep counting what is cut off
    const line = `${JSON.stringify(ev)}\n`;
    batch.push(line);
    batchBytes += line.length;
    bytes += Buffer.byteLength(line);
    written++;
    if (!correlationId && written >= n / 2) correlationId = probe(ev) ?? '';
    if (batchBytes >= BATCH_BYTES) await flush();
  }
  await flush();
  out.end();
  await done;
  return { written, produced, bytes, correlationId };
}

function probe(ev: DemoEvent): string | null {
  const id = ev.correlation_id;
  const hit = ev.type === 'exception.opened' && ev.workflow === 'order_to_cash' && typeof id === 'string' && /^SO-\d+$/.test(id);
  return hit ? id : null;
}

export async function generateEvents(n: number, file: string, log: (s: string) => void): Promise<Generated> {
  if (!Number.isInteger(n) || n < 1000) throw new Error(`--events must be an integer ≥ 1000 (got ${n})`);
  const t0 = performance.now();
  // A whole minute just behind the clock: every event is in the past, as the validator requires.
  const endMs = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
  const { days, fixed, perScale } = calibrate(n, endMs);
  // Over-produce slightly (0.3 % plus Poisson noise) so the file can stop at exactly N.
  let scale = Math.max(0.01, (n * 1.003 + 3 * Math.sqrt(n) - fixed) / perScale);
  for (let attempt = 0; attempt < 5; attempt++) {
    log(`generating ${n.toLocaleString('en-US')} events: ${days} days × 8 warehouses, scale ${scale.toFixed(3)}…`);
    const r = await writeExactly(file, n, { endMs, days, scale });
    if (r.written === n) {
      return {
        file,
        events: n,
        bytes: r.bytes,
        scale,
        days,
        startMs: endMs - days * DAY,
        endMs,
        cutOff: r.produced - n,
        correlationId: r.correlationId,
        seconds: (performance.now() - t0) / 1000,
      };
    }
    scale *= (Math.max(1, n - fixed) / Math.max(1, r.produced - fixed)) * 1.01;
  }
  throw new Error(`could not generate ${n} events with the demo generator`);
}
