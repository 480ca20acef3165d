import fs from 'node:fs';
import path from 'node:path';
import { migrate } from '@/clickhouse/migrate';
import { dataDir, env } from '@/lib/config/env';
import { INGEST_TOKEN_FILE } from '@/lib/auth/tokens';
import { AppError, isAppError } from '@/lib/errors';
import { formatNumber } from '@/lib/format/number';
import { closeStore } from '@/lib/store';
import { runningServer } from '@/lib/server/startup';
import { parseNdjson } from './parse';
import { prepareLines } from './pipeline';
import { listInputs, readChunks, type Chunk } from './source';
import type { IngestResult } from './types';
import { loadConfig } from '@/lib/config/slo';
import { refreshSyncRollupFully } from './rollups';
import { refreshPipelineRollupFully } from './rollups-pipeline';

/** Through a server: what one request carries (well inside the default line and body limits). */
const CHUNK_LINES = 10_000;
const CHUNK_BYTES = 8 * 1024 * 1024;
/**
 * Straight into the store: bigger batches mean fewer, bigger inserts (one part each, per materialized
 * view too) and fewer dedup lookups. Two are held at once (one prepared while the other is stored).
 */
const DIRECT_CHUNK_LINES = 20_000;
const DIRECT_CHUNK_BYTES = 8 * 1024 * 1024;
const MAX_PRINTED_ERRORS = 20;

/**
 * Sends one chunk once `previous` (the chunk before it) has been stored; if that failed, this one is
 * not stored either, so a stopped run's "stored up to line N" stays exact.
 */
type Sender = (chunk: Chunk, previous: Promise<unknown>) => Promise<IngestResult>;

const VALUE_FLAGS = ['--url', '--token', '--retry-max-s'];

function usage(): never {
  console.error('usage: npm run ingest -- <file.ndjson|dir|-> [--url http://host:3000] [--token T] [--retry-max-s 300]');
  process.exit(2);
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function readToken(): string | undefined {
  const token = env().CT_INGEST_TOKEN;
  if (token) return token;
  try {
    return fs.readFileSync(path.join(dataDir(), INGEST_TOKEN_FILE), 'utf8').trim();
  } catch {
    return undefined; // no demo token on disk
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One POST of a chunk: the server's answer, or why to try again and after how long. */
async function postChunk(base: string, token: string, chunk: Chunk, attempt: number): Promise<IngestResult | { failure: string; waitMs: number }> {
  let res: Response;
  try {
    res = await fetch(new URL('/api/v1/ingest', base), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: new Uint8Array(chunk.bytes),
    });
  } catch (err) {
    const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return { failure: `the server could not be reached (${why})`, waitMs: 1000 * Math.min(2 ** attempt, 30) };
  }
  if (res.status === 429 || res.status === 503) {
    await res.body?.cancel();
    const wait = Number(res.headers.get('retry-after') ?? '1');
    return { failure: `the server answered ${res.status}`, waitMs: 1000 * (Number.isFinite(wait) && wait > 0 ? wait : 1) };
  }
  const body = (await res.json()) as IngestResult & { error?: { message: string } };
  if (res.status !== 200 && res.status !== 207) throw new Error(`server answered ${res.status}: ${body.error?.message ?? ''}`);
  // The server numbers lines within the request; shift them back to the file's numbering.
  return { ...body, errors: body.errors.map((e) => ({ ...e, line: e.line + chunk.firstLine - 1 })) };
}

/**
 * 429/503 and an unreachable server are waited out (honouring Retry-After) for at most `maxMs` per
 * chunk, counted from its first attempt. A wait that would end past the bound is not started, so the
 * CLI stops within the bound instead of hanging on a server that never recovers.
 */
function httpSender(base: string, token: string, maxMs: number): Sender {
  return async (chunk, previous) => {
    await previous;
    const since = Date.now();
    for (let attempt = 0; ; attempt++) {
      const r = await postChunk(base, token, chunk, attempt);
      if (!('failure' in r)) return r;
      const elapsed = Date.now() - since;
      if (elapsed + r.waitMs > maxMs) {
        const limit = `retry limit ${maxMs / 1000} s: --retry-max-s or CT_INGEST_RETRY_MAX_S`;
        throw new AppError('store_unavailable', `${r.failure} for ${(elapsed / 1000).toFixed(0)} s (${limit})`);
      }
      await sleep(r.waitMs);
    }
  };
}

/** Parses and validates this chunk while the previous one is being stored (the engine works off this thread). */
const directSender: Sender = async (chunk, previous) => {
  const batch = await prepareLines([...parseNdjson(chunk.bytes, chunk.firstLine)]);
  try {
    await previous;
  } catch (err) {
    batch.discard();
    throw err;
  }
  return batch.commit();
};

/** Straight into the store, no server to do it in the background: bring the rollups up to date now. */
async function buildRollups(): Promise<void> {
  const started = Date.now();
  const hours = await refreshSyncRollupFully(loadConfig().slo.sync_lag_seconds * 1000);
  const ingestHours = await refreshPipelineRollupFully();
  if (ingestHours > 0) console.error(`rollups: ${ingestHours} ingest hours recomputed for pipeline health`);
  if (hours > 0) console.error(`rollups: ${hours} warehouse-hours rebuilt in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Lines in a file, counted as readChunks counts them (a last line without a newline counts); stdin: unknown. */
async function countLines(file: string): Promise<number | undefined> {
  if (file === '-') return undefined;
  let n = 0;
  let last = 0x0a;
  for await (const buf of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
    if (buf.length > 0) last = buf[buf.length - 1]!;
  }
  return last === 0x0a ? n : n + 1;
}

type Totals = { accepted: number; duplicates: number; rejected: number };

/** A run that stopped at `chunk`: what is stored, what is not, and that rerunning it is safe. */
async function stopped(err: unknown, inputs: string[], at: number, chunk: Chunk, totals: Totals): Promise<AppError> {
  const why = err instanceof Error ? err.message : String(err);
  const file = inputs[at]!;
  const n = formatNumber;
  const done: string[] = [];
  if (at > 0) done.push(at === 1 ? `all of ${inputs[0]}` : `all of ${at} files (${inputs[0]} … ${inputs[at - 1]})`);
  if (chunk.firstLine > 1) done.push(`lines 1–${n(chunk.firstLine - 1)} of ${file}`);
  const lines = await countLines(file).catch(() => undefined);
  const rest = [lines !== undefined ? `lines ${n(chunk.firstLine)}–${n(lines)} of ${file}` : `line ${n(chunk.firstLine)} to the end of ${file}`];
  const later = inputs.length - at - 1;
  if (later > 0) rest.push(later === 1 ? `all of ${inputs[at + 1]}` : `all of the ${later} later files`);
  return new AppError(isAppError(err) ? err.code : 'internal', [
    `stopped at line ${n(chunk.firstLine)} of ${file}: ${why}`,
    `  stored: ${done.length ? done.join(' and ') : 'nothing'} (accepted ${n(totals.accepted)} · duplicates ${n(totals.duplicates)} · rejected ${n(totals.rejected)})`,
    `  not stored: ${rest.join(' and ')}`,
    '  Rerun the same command: resending is safe, duplicates are dropped.',
  ].join('\n'));
}

async function main() {
  const target = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !VALUE_FLAGS.includes(all[i - 1] ?? ''));
  if (!target) usage();
  const url = arg('--url') ?? runningServer();
  let send: Sender;
  if (url) {
    const token = arg('--token') ?? readToken();
    if (!token) throw new Error(`a server is running at ${url}; set CT_INGEST_TOKEN (or --token) to ingest through its API`);
    console.error(`sending through the server's API at ${url}`);
    const maxS = arg('--retry-max-s') ?? env().CT_INGEST_RETRY_MAX_S;
    if (!(Number(maxS) > 0)) throw new Error(`--retry-max-s: expected a positive number of seconds, got ${maxS}`);
    send = httpSender(url, token, Number(maxS) * 1000);
  } else {
    await migrate();
    send = directSender;
  }
  const totals: Totals = { accepted: 0, duplicates: 0, rejected: 0 };
  const printed: string[] = [];
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let lastPrint = 0;
  const progress = (final = false) => {
    const secs = (Date.now() - started) / 1000;
    const rate = Math.round((totals.accepted + totals.duplicates + totals.rejected) / Math.max(secs, 0.001));
    const line = `${rate} events/s · accepted ${totals.accepted} · duplicates ${totals.duplicates} · rejected ${totals.rejected}`;
    if (tty) process.stderr.write(`\r${line}${final ? '\n' : ''}`);
    else if (final || Date.now() - lastPrint > 5000) {
      process.stderr.write(`${line}\n`);
      lastPrint = Date.now();
    }
  };
  const report = () => {
    progress(true);
    for (const p of printed) console.error(`rejected ${p}`);
    if (totals.rejected > printed.length) console.error(`… and ${totals.rejected - printed.length} more rejected lines (see GET /api/v1/rejected)`);
  };
  const inputs = listInputs(target);
  const [maxLines, maxBytes] = url ? [CHUNK_LINES, CHUNK_BYTES] : [DIRECT_CHUNK_LINES, DIRECT_CHUNK_BYTES];
  type InFlight = { at: number; chunk: Chunk; result: Promise<IngestResult> };
  const settle = async ({ at, chunk, result }: InFlight) => {
    let r: IngestResult;
    try {
      r = await result;
    } catch (err) {
      report();
      throw await stopped(err, inputs, at, chunk, totals);
    }
    totals.accepted += r.accepted;
    totals.duplicates += r.duplicates;
    totals.rejected += r.rejected;
    for (const e of r.errors) if (printed.length < MAX_PRINTED_ERRORS) printed.push(`${inputs[at]}:${e.line}: ${e.reason}`);
    progress();
  };
  let prev: InFlight | null = null;
  for (const [at, file] of inputs.entries()) {
    for await (const chunk of readChunks(file, maxLines, maxBytes)) {
      const result = send(chunk, prev?.result ?? Promise.resolve());
      // Its failure is reported by settle() when its turn comes (or it is the failure of the one before).
      result.catch(() => undefined);
      if (prev) await settle(prev);
      prev = { at, chunk, result };
    }
  }
  if (prev) await settle(prev);
  if (!url) await buildRollups();
  report();
  console.log(JSON.stringify(totals));
  await closeStore();
  process.exitCode = totals.rejected > 0 ? 1 : 0;
}

main().catch(async (err: unknown) => {
  const msg = isAppError(err) ? err.message : err instanceof Error ? err.message : String(err);
  console.error(`ingest failed: ${msg}`);
  await closeStore().catch(() => undefined);
  process.exit(2);
});
