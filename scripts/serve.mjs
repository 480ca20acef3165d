#!/usr/bin/env node
// The production HTTP server (scripts/start.mjs runs it after building): Next's request handler on a Node
// server with bounded request timeouts, which `next start` cannot set (it only takes --keepAliveTimeout).
import http from 'node:http';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOSTNAME || undefined;

/**
 * A client that opens a connection and then stalls holds a socket and memory; these bound how long.
 * Headers: 20 s. The whole request: 120 s, room for a 16 MiB ingest body at about 1.2 Mbit/s (a body
 * that stops flowing is cut sooner, after 30 s without a byte: lib/http/body.ts). Idle kept-alive
 * connections: 5 s. Node checks the first two only every connectionsCheckingInterval (30 s by default),
 * so it is shortened to keep them close to their values.
 */
export const HTTP_TIMEOUTS = { headersTimeout: 20_000, requestTimeout: 120_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 };

process.env.NODE_ENV = 'production';
const { default: next } = await import('next');
const app = next({ dev: false, dir: root, port, hostname: hostname ?? 'localhost' });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer(HTTP_TIMEOUTS, (req, res) => {
  handle(req, res).catch((err) => {
    console.error(`[http] ${req.method} ${req.url?.slice(0, 200)}:`, err);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
});
server.keepAliveTimeout = HTTP_TIMEOUTS.keepAliveTimeout;
server.listen(port, hostname, () => console.log(`listening on http://${hostname ?? 'localhost'}:${port}`));

let stopping = false;
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeIdleConnections();
    setTimeout(() => process.exit(code), 10_000).unref();
    app.close().then(
      () => process.exit(code),
      (err) => {
        console.error('[http] shutdown:', err);
        process.exit(code);
      },
    );
  });
}
