import fs from 'node:fs';
import path from 'node:path';
import { migrate } from '@/clickhouse/migrate';
import { dataDir } from '@/lib/config/env';
import { INGEST_TOKEN_FILE } from '@/lib/auth/tokens';
import { isAppError } from '@/lib/errors';
import { closeStore, embeddedPath, storeMode } from '@/lib/store';
import { storeOwner } from '@/lib/store/owner.mjs';
import { SERVER_FILE } from '@/lib/server/startup';
import { parseNdjson } from './parse';
import { ingestLines } from './pipeline';
import { listInputs, readChunks, type Chunk } from './source';
import type { IngestResult } from './types';

const CHUNK_LINES = 10_000;
const CHUNK_BYTES = 8 * 1024 * 1024;
const MAX_PRINTED_ERRORS = 20;

type Sender = (chunk: Chunk) => Promise<IngestResult>;

function usage(): never {
  console.error('usage: npm run ingest -- <file.ndjson|dir|-> [--url http://host:3000] [--token T]');
  process.exit(2);
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/**
 * The API of the server that owns the embedded store, if a process owns it: then we must go through that API.
 * Ownership is the engine's lock (lib/store/owner.mjs); server.json only says where that server listens.
 */
function runningServer(): string | undefined {
  if (storeMode() !== 'embedded' || storeOwner(embeddedPath()) !== 'owned') return undefined;
  try {
    return (JSON.parse(fs.readFileSync(path.join(dataDir(), SERVER_FILE), 'utf8')) as { url: string }).url;
  } catch {
    throw new Error(`another process (not a server: no ${SERVER_FILE}) is using ${dataDir()}; wait for it, or pass --url`);
  }
}

function readToken(): string | undefined {
  if (process.env.CT_INGEST_TOKEN) return process.env.CT_INGEST_TOKEN;
  try {
    return fs.readFileSync(path.join(dataDir(), INGEST_TOKEN_FILE), 'utf8').trim();
  } catch {
    return undefined; // no demo token on disk
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function httpSender(base: string, token: string): Sender {
  return async (chunk) => {
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(new URL('/api/v1/ingest', base), {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
          body: new Uint8Array(chunk.bytes),
        });
      } catch (err) {
        if (attempt >= 10) throw err;
        await sleep(1000 * Math.min(2 ** attempt, 30));
        continue;
      }
      if (res.status === 429 || res.status === 503) {
        const wait = Number(res.headers.get('retry-after') ?? '1');
        await sleep(1000 * (Number.isFinite(wait) && wait > 0 ? wait : 1));
        continue;
      }
      const body = (await res.json()) as IngestResult & { error?: { message: string } };
      if (res.status !== 200 && res.status !== 207) throw new Error(`server answered ${res.status}: ${body.error?.message ?? ''}`);
      // The server numbers lines within the request; shift them back to the file's numbering.
      return { ...body, errors: body.errors.map((e) => ({ ...e, line: e.line + chunk.firstLine - 1 })) };
    }
  };
}

const directSender: Sender = async (chunk) => ingestLines([...parseNdjson(chunk.bytes, chunk.firstLine)]);

async function main() {
  const target = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !['--url', '--token'].includes(all[i - 1] ?? ''));
  if (!target) usage();
  const url = arg('--url') ?? runningServer();
  let send: Sender;
  if (url) {
    const token = arg('--token') ?? readToken();
    if (!token) throw new Error(`a server is running at ${url}; set CT_INGEST_TOKEN (or --token) to ingest through its API`);
    console.error(`sending through the server's API at ${url}`);
    send = httpSender(url, token);
  } else {
    await migrate();
    send = directSender;
  }
  const totals = { accepted: 0, duplicates: 0, rejected: 0 };
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
  for (const file of listInputs(target)) {
    for await (const chunk of readChunks(file, CHUNK_LINES, CHUNK_BYTES)) {
      const r = await send(chunk);
      totals.accepted += r.accepted;
      totals.duplicates += r.duplicates;
      totals.rejected += r.rejected;
      for (const e of r.errors) if (printed.length < MAX_PRINTED_ERRORS) printed.push(`${file}:${e.line}: ${e.reason}`);
      progress();
    }
  }
  progress(true);
  for (const p of printed) console.error(`rejected ${p}`);
  if (totals.rejected > printed.length) console.error(`… and ${totals.rejected - printed.length} more rejected lines (see GET /api/v1/rejected)`);
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
