import zlib from 'node:zlib';
import { API_TOKEN, INGEST_TOKEN, sleep } from './server';

/** What one HTTP call gave: status 0 means the connection failed (refused, reset, timed out). */
export interface Answer {
  status: number;
  ms: number;
  body: unknown;
  text: string;
  retryAfter: string | null;
  error?: string;
}

export interface PostOptions {
  gzip?: boolean;
  contentType?: string;
  timeoutMs?: number;
  path?: string;
  headers?: Record<string, string>;
}

export async function post(base: string, body: Buffer | string, opts: PostOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${INGEST_TOKEN}`,
    'content-type': opts.contentType ?? 'application/x-ndjson',
    ...opts.headers,
  };
  let payload = typeof body === 'string' ? Buffer.from(body) : body;
  if (opts.gzip) {
    payload = zlib.gzipSync(payload);
    headers['content-encoding'] = 'gzip';
  }
  return call(`${base}${opts.path ?? '/api/v1/ingest'}`, { method: 'POST', headers, body: new Uint8Array(payload) }, opts.timeoutMs ?? 120_000);
}

export async function get(base: string, p: string, timeoutMs = 60_000, token = API_TOKEN): Promise<Answer> {
  return call(`${base}${p}`, { headers: { authorization: `Bearer ${token}` } }, timeoutMs);
}

async function call(url: string, init: RequestInit, timeoutMs: number): Promise<Answer> {
  const t = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    return { status: res.status, ms: performance.now() - t, body, text, retryAfter: res.headers.get('retry-after') };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { status: 0, ms: performance.now() - t, body: null, text: '', retryAfter: null, error: cause ?? String(err) };
  }
}

export interface IngestSummary {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: { line: number; event_id: string | null; reason: string }[];
}

export const isSummary = (b: unknown): b is IngestSummary =>
  typeof b === 'object' && b !== null && typeof (b as IngestSummary).accepted === 'number' && Array.isArray((b as IngestSummary).errors);

export interface ResendLog {
  /** Attempts per outcome: e.g. { '200': 40, '0': 3, '503': 1 }. */
  statuses: Record<string, number>;
  accepted: number;
  duplicates: number;
  rejected: number;
  resent: number;
  acks: number[];
}

export const newLog = (): ResendLog => ({ statuses: {}, accepted: 0, duplicates: 0, rejected: 0, resent: 0, acks: [] });

/**
 * The well-behaved client: sends every batch until it gets a 2xx, honouring Retry-After on 429/503
 * and waiting out refused connections (the server restarting). Never gives up before `deadline`.
 */
export async function sendUntilAcked(base: () => string, batch: Buffer, log: ResendLog, deadline: number, opts: PostOptions = {}): Promise<IngestSummary> {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) log.resent++;
    const a = await post(base(), batch, opts);
    log.statuses[String(a.status)] = (log.statuses[String(a.status)] ?? 0) + 1;
    if ((a.status === 200 || a.status === 207) && isSummary(a.body)) {
      log.accepted += a.body.accepted;
      log.duplicates += a.body.duplicates;
      log.rejected += a.body.rejected;
      log.acks.push(a.ms);
      return a.body;
    }
    if (a.status >= 400 && a.status < 500 && a.status !== 429) throw new Error(`ingest answered ${a.status}: ${a.text.slice(0, 300)}`);
    if (Date.now() > deadline) throw new Error(`batch not acknowledged before the deadline (last status ${a.status} ${a.error ?? ''})`);
    const wait = Number(a.retryAfter ?? NaN);
    await sleep(a.status === 0 ? 250 : Number.isFinite(wait) ? Math.min(wait, 5) * 1000 : 500);
  }
}

/** Runs `tasks` with at most `n` in flight. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}
