/**
 * A stand-in ClickHouse server for the store-unavailable scenario: there is no ClickHouse server on
 * this machine, so this child process speaks the small part of ClickHouse's HTTP interface that
 * @clickhouse/client uses (POST a statement; `query=` + body for inserts; `param_*` bindings;
 * settings as URL parameters) and runs it on its own embedded engine. Killing it is "the store goes
 * away"; starting it again on the same port and directory is "the store comes back".
 *
 * usage: tsx test/reliability/ch-shim.ts <port> <data dir>
 */
import http from 'node:http';
import { createChdbConnection } from 'chdb/connection';

const port = Number(process.argv[2]);
const dir = process.argv[3];
if (!port || !dir) {
  console.error('usage: ch-shim.ts <port> <data dir>');
  process.exit(2);
}
const conn = createChdbConnection({ path: dir });

/** URL parameters that are not engine settings. */
const NOT_SETTINGS = new Set(['query', 'query_id', 'database', 'session_id', 'session_timeout', 'session_check', 'user', 'password']);

/** @clickhouse/client sends top-level parameter values TSV-escaped, and chDB escapes them again. */
const unescapeTsv = (v: string) => v.replace(/\\([\\tnr'0])/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', '0': '\0' })[c] ?? c);

async function readAll(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://shim');
  if (url.pathname === '/ping') {
    res.end('Ok.\n');
    return;
  }
  const body = await readAll(req);
  const queryParams: Record<string, string> = {};
  const settings: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (k.startsWith('param_')) queryParams[k.slice(6)] = unescapeTsv(v);
    else if (!NOT_SETTINGS.has(k)) settings[k] = v;
  }
  const insert = url.searchParams.get('query');
  if (insert !== null && body.trim() === '') {
    res.end('');
    return;
  }
  const statement = insert !== null ? `${insert}\n${body}` : body;
  try {
    const r = await conn.exec({ query: statement, query_params: queryParams, clickhouse_settings: settings });
    const out: Buffer[] = [];
    for await (const c of r.stream) out.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
    res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8', 'x-clickhouse-query-id': r.query_id });
    res.end(Buffer.concat(out));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const code = /Code: (\d+)/.exec(msg)?.[1] ?? '1000';
    res.writeHead(500, { 'content-type': 'text/plain; charset=UTF-8', 'x-clickhouse-exception-code': code });
    res.end(/^Code: \d+/.test(msg) ? msg : `Code: ${code}. DB::Exception: ${msg}`);
  }
}

// Bound parameters travel in the URL; ClickHouse accepts URLs up to 1 MiB (http_max_uri_size), Node only 16 KiB by default.
const server = http.createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
  handle(req, res).catch((err: unknown) => {
    res.writeHead(500);
    res.end(`Code: 1000. DB::Exception: ${String(err)}`);
  });
});
server.listen(port, '127.0.0.1', () => console.log(`ch-shim listening on ${port}`));
