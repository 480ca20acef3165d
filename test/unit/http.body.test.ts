import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { BODY_IDLE_MS, readBody } from '@/lib/http/body';
import { errorResponse } from '@/lib/http/respond';

/** A request whose body sends `chunks` (one every `everyMs`) and then, if `stall`, never ends. */
function trickle(chunks: string[], everyMs: number, stall: boolean, declared?: number): Request {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(ctl) {
      if (i < chunks.length) {
        await new Promise((r) => setTimeout(r, everyMs));
        ctl.enqueue(new TextEncoder().encode(chunks[i++]!));
      } else if (!stall) ctl.close();
      else await new Promise(() => undefined); // the client went quiet
    },
    // As with a real request stream, cancelling waits on the client that went quiet.
    cancel: () => new Promise(() => undefined),
  });
  const headers: Record<string, string> = declared === undefined ? {} : { 'content-length': String(declared) };
  return new Request('http://localhost/api/v1/ingest', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

describe('body reader idle timeout', () => {
  it('is 30 s by default', () => {
    expect(BODY_IDLE_MS).toBe(30_000);
  });

  it('gives up on a body that stops flowing: a 408 that closes the connection, soon after the idle time', async () => {
    const started = Date.now();
    const err = await readBody(trickle(['{"a":', '1'], 10, true, 1000), 4096, undefined, 300).then(
      () => null,
      (e: unknown) => e,
    );
    const took = Date.now() - started;
    expect(isAppError(err) && err.code).toBe('request_timeout');
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(2000);
    const res = errorResponse(err);
    expect(res.status).toBe(408);
    expect(res.headers.get('connection')).toBe('close');
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^body: no bytes for/);
  });

  it('keeps reading a slow body whose bytes keep coming', async () => {
    const parts = ['a', 'b', 'c', 'd', 'e', 'f'];
    const body = await readBody(trickle(parts, 150, false), 4096, undefined, 400);
    expect(body.toString()).toBe(parts.join(''));
  });
});
