import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a webhook receiver saw it: the raw bytes, so signatures are checked on what was sent. */
export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  body: Record<string, unknown>;
  answered: number;
}

/**
 * A real webhook receiver on 127.0.0.1 for the alert tests. `script(path)` lists the statuses to answer,
 * in order, for a path; once used up (or when none is given) it answers 200.
 */
export async function startReceiver(): Promise<{
  url: string;
  received: Received[];
  script: (path: string, statuses: number[]) => void;
  close: () => Promise<void>;
}> {
  const received: Received[] = [];
  const scripts = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const path = req.url ?? '/';
      const status = scripts.get(path)?.shift() ?? 200;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        body = {};
      }
      received.push({ path, headers: req.headers, raw, body, answered: status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script: (path, statuses) => scripts.set(path, [...statuses]),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
