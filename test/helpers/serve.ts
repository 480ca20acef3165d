import http from 'node:http';
import type { AddressInfo } from 'node:net';

// Route handlers differ only in their params type; these routes take none.
type Handler = (req: Request, ctx: { params: Promise<never> }) => Promise<Response>;

/**
 * Serves route handlers on 127.0.0.1 so real clients (an OTLP exporter, fetch) can talk to them over
 * HTTP without a Next build. Full-stack tests against `next start` live in test/e2e.
 */
export async function serveRoutes(routes: Record<string, Handler>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const handler = routes[`${req.method} ${url.pathname}`];
        if (!handler) {
          res.writeHead(404).end();
          return;
        }
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const response = await handler(new Request(url, { method: req.method, headers, body }), { params: Promise.resolve({}) as Promise<never> });
        res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
        res.end(Buffer.from(await response.arrayBuffer()));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
