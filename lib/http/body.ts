import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { AppError } from '@/lib/errors';

/**
 * A claim on some memory budget that grows while a body is read (ingest's is `Reservation` in
 * ingest/lock.ts). `grow` throws the answer to send when the budget is exhausted.
 */
export interface ByteBudget {
  grow(bytes: number): void;
  release(): void;
}

/** Small bodies (a triage action, a silence, a sign-in form) are bounded by their limit alone. */
const UNBUDGETED: ByteBudget = { grow: () => undefined, release: () => undefined };

const gunzipAsync = promisify(zlib.gunzip);

/**
 * A body that stops flowing is given up after this long without a byte: a client that declares more
 * than it sends would otherwise hold its socket (and its memory claim) until the server's request
 * timeout (scripts/serve.mjs). A slow but moving upload is not affected.
 */
export const BODY_IDLE_MS = 30_000;

/**
 * Reads a request body under a byte limit, before and after gzip, so an oversized or
 * decompression-bomb body is refused (413) before anything is parsed or stored. The bytes count
 * against the ingest memory budget while they are read; over it the rest of the body is drained
 * (so the client reads the answer instead of a reset connection) and the answer is a 429.
 * The caller owns the returned reservation and releases it once the body is no longer needed.
 */
export async function readBodyReserved<B extends ByteBudget>(req: Request, limit: number, reservation: B, idleMs = BODY_IDLE_MS): Promise<{ body: Buffer; reservation: B }> {
  const encoding = (req.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (!['identity', 'gzip', 'x-gzip', ''].includes(encoding)) {
    throw new AppError('bad_request', `content-encoding: unsupported "${encoding.slice(0, 32)}" (use gzip or none)`);
  }
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new AppError('payload_too_large', `body: larger than the ${limit}-byte limit`);
  }
  try {
    const raw = await readRaw(req, limit, reservation, Number.isFinite(declared) ? declared : undefined, idleMs);
    if (encoding !== 'gzip' && encoding !== 'x-gzip') return { body: raw, reservation };
    const body = await gunzipLimitedAsync(raw, limit);
    reservation.grow(body.length);
    return { body, reservation };
  } catch (err) {
    reservation.release();
    throw err;
  }
}

/** The next chunk, or a 408 when none comes within idleMs (the stream is cancelled then). */
async function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, idleMs: number): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('request_timeout', `body: no bytes for ${Math.round(idleMs / 1000)} s; nothing was stored`)), idleMs);
  });
  try {
    return await Promise.race([reader.read(), idle]);
  } catch (err) {
    // Not awaited: cancelling a request stream whose client went quiet can wait on that client.
    reader.cancel().catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function readRaw(req: Request, limit: number, reservation: ByteBudget, declared: number | undefined, idleMs: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  let refused: unknown;
  try {
    // A declared length claims its share up front, so a burst of big bodies is refused before it is read.
    if (declared !== undefined) reservation.grow(declared);
  } catch (err) {
    refused = err;
  }
  for (;;) {
    const { done, value } = await readWithin(reader, idleMs);
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new AppError('payload_too_large', `body: larger than the ${limit}-byte limit`);
    }
    if (refused) continue; // draining: keep nothing
    try {
      if (declared === undefined) reservation.grow(value.byteLength);
    } catch (err) {
      refused = err;
      chunks.length = 0;
      continue;
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  if (refused) throw refused;
  // A body cut short on its way in (a proxy's body limit) must never pass for a whole batch.
  if (declared !== undefined && size !== declared) {
    throw new AppError('payload_too_large', `body: received ${size} of the ${declared} bytes sent (cut short in transit); nothing was stored — send smaller batches`);
  }
  return Buffer.concat(chunks, size);
}

/** Reads a body under the limit; a budget's claim ends when the bytes are returned. */
export async function readBody(req: Request, limit: number, budget: ByteBudget = UNBUDGETED, idleMs = BODY_IDLE_MS): Promise<Buffer> {
  const { body, reservation } = await readBodyReserved(req, limit, budget, idleMs);
  reservation.release();
  return body;
}

function gunzipError(err: unknown, limit: number): AppError {
  if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
    return new AppError('payload_too_large', `body: larger than the ${limit}-byte limit after decompression`);
  }
  return new AppError('bad_request', 'body: not valid gzip data (truncated or corrupt); nothing was stored');
}

/** Gunzip on the thread pool (a 16 MiB body does not stall other requests), bounded by the limit. */
export async function gunzipLimitedAsync(raw: Buffer, limit: number): Promise<Buffer> {
  if (raw.length === 0) return raw;
  try {
    return await gunzipAsync(raw, { maxOutputLength: limit });
  } catch (err) {
    throw gunzipError(err, limit);
  }
}
