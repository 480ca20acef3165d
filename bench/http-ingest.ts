import fs from 'node:fs';
import { INGEST_TOKEN } from './server';
import { percentile, sleep } from './stats';
import type { Point } from './steady';

/**
 * NDJSON posted to /api/v1/ingest by concurrent clients. A phase posts one line range of the file, so
 * the bench can load the first half with 1 client and the second half with 4 into the same server
 * (the server ends up holding all N events once, as the KPI phase needs).
 */

/** NDJSON bodies of at most `target` bytes, cut at line ends, of lines [from, to) of the file, read as needed. */
async function* bodies(file: string, target: number, from: number, to: number): AsyncGenerator<{ bytes: Buffer; lines: number }> {
  let parts: Buffer[] = [];
  let size = 0;
  let lines = 0;
  let carry = Buffer.alloc(0);
  let idx = 0;
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
      if (idx < from) {
        idx++;
        pos = nl + 1;
        seg = pos;
        continue;
      }
      if (idx >= to) {
        if (pos > seg) {
          parts.push(buf.subarray(seg, pos));
          size += pos - seg;
        }
        if (size > 0) yield take();
        return;
      }
      const pendingSize = size + (pos - seg);
      if (pendingSize > 0 && pendingSize + (nl + 1 - pos) > target) {
        parts.push(buf.subarray(seg, pos));
        size += pos - seg;
        seg = pos;
        yield take();
      }
      lines++;
      idx++;
      pos = nl + 1;
    }
    if (pos > seg) {
      parts.push(buf.subarray(seg, pos));
      size += pos - seg;
    }
    carry = Buffer.from(buf.subarray(pos));
  }
  if (carry.length > 0 && idx >= from && idx < to) {
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
  /** Events acknowledged so far, after each acknowledgement: the throughput over the phase. */
  timeline: Point[];
}

export interface IngestRange {
  clients: number;
  targetBytes: number;
  /** First line (0-based) and the line after the last one. */
  from: number;
  to: number;
}

export async function httpIngest(url: string, file: string, range: IngestRange): Promise<HttpIngest> {
  const { clients, targetBytes } = range;
  const source = bodies(file, targetBytes, range.from, range.to);
  const acks: number[] = [];
  const timeline: Point[] = [];
  const totals = { accepted: 0, duplicates: 0, rejected: 0, events: 0, requests: 0, retries: 0 };
  let minB = Infinity;
  let maxB = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      const { bytes, lines } = next.value;
      minB = Math.min(minB, bytes.length);
      maxB = Math.max(maxB, bytes.length);
      for (let attempt = 0; ; attempt++) {
        const ts = performance.now();
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
        acks.push(performance.now() - ts);
        totals.requests++;
        totals.events += lines;
        totals.accepted += body.accepted ?? 0;
        totals.duplicates += body.duplicates ?? 0;
        totals.rejected += body.rejected ?? 0;
        timeline.push({ t: (performance.now() - t0) / 1000, n: totals.events });
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const { events, requests, retries, accepted, duplicates, rejected } = totals;
  return {
    seconds, events, requests, retries, accepted, duplicates, rejected, clients, timeline,
    bodyMiB: { min: minB / 1048576, max: maxB / 1048576 },
    ackMs: { p50: percentile(acks, 0.5), p99: percentile(acks, 0.99), max: percentile(acks, 1) },
  };
}
