import zlib from 'node:zlib';

export const INGEST = { authorization: 'Bearer test-ingest-token' };
export const API = { authorization: 'Bearer test-api-token' };

export function ndjson(events: readonly unknown[]): string {
  return events.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n') + '\n';
}

export function post(url: string, body: BodyInit | Buffer, headers: Record<string, string> = {}): Request {
  return new Request(`http://localhost${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', ...headers },
    body: body as BodyInit,
  });
}

export function get(url: string, headers: Record<string, string> = API): Request {
  return new Request(`http://localhost${url}`, { headers });
}

export const gzip = (s: string | Buffer): Buffer => zlib.gzipSync(s);

/** Route handlers take Next's context; tests pass resolved params through it. */
export const ctx = <P extends object>(params: P = {} as P) => ({ params: Promise.resolve(params) });
