import zlib from 'node:zlib';
import { AppError } from '@/lib/errors';

/**
 * Reads a request body under a byte limit, before and after gzip, so an oversized or
 * decompression-bomb body is refused (413) before anything is parsed or stored.
 */
export async function readBody(req: Request, limit: number): Promise<Buffer> {
  const encoding = (req.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (!['identity', 'gzip', 'x-gzip', ''].includes(encoding)) {
    throw new AppError('bad_request', `content-encoding: unsupported "${encoding.slice(0, 32)}" (use gzip or none)`);
  }
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new AppError('payload_too_large', `body: larger than the ${limit}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw new AppError('payload_too_large', `body: larger than the ${limit}-byte limit`);
      }
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  }
  const raw = Buffer.concat(chunks, size);
  if (encoding !== 'gzip' && encoding !== 'x-gzip') return raw;
  return gunzipLimited(raw, limit);
}

export function gunzipLimited(raw: Buffer, limit: number): Buffer {
  if (raw.length === 0) return raw;
  try {
    return zlib.gunzipSync(raw, { maxOutputLength: limit });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new AppError('payload_too_large', `body: larger than the ${limit}-byte limit after decompression`);
    }
    throw new AppError('bad_request', 'body: not valid gzip data (truncated or corrupt); nothing was stored');
  }
}
