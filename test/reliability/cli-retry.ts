import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { inspectStore, liveEvent } from './data';
import { INGEST_TOKEN, ROOT, TestServer, freePort } from './server';
import { Recorder, type ScenarioResult } from './stats';

interface Refusal {
  status: number;
  retryAfter: number;
  at: number;
  /** Milliseconds until the CLI's next request. */
  waited?: number;
}

/**
 * A throttling front for a real server: it refuses the first attempt of every chunk, alternating
 * 429 + Retry-After: 2 and 503 + Retry-After: 1, and forwards every other request unchanged.
 */
async function throttlingFront(target: string) {
  const refusals: Refusal[] = [];
  let n = 0;
  const port = await freePort();
  const server = http.createServer((req, res) => {
    const i = n++;
    const last = refusals[refusals.length - 1];
    if (last && last.waited === undefined) last.waited = Date.now() - last.at;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (i % 2 === 0) {
        const r: Refusal = i % 4 === 0 ? { status: 429, retryAfter: 2, at: Date.now() } : { status: 503, retryAfter: 1, at: Date.now() };
        refusals.push(r);
        const code = r.status === 429 ? 'overloaded' : 'store_unavailable';
        res.writeHead(r.status, { 'content-type': 'application/json', 'retry-after': String(r.retryAfter) });
        res.end(JSON.stringify({ error: { code, message: 'throttled by the test front' } }));
        return;
      }
      const headers: Record<string, string> = {};
      for (const k of ['authorization', 'content-type', 'content-encoding']) if (req.headers[k]) headers[k] = String(req.headers[k]);
      fetch(`${target}${req.url ?? '/'}`, { method: req.method, headers, body: new Uint8Array(Buffer.concat(chunks)) })
        .then(async (up) => {
          res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await up.arrayBuffer()));
        })
        .catch((err: unknown) => {
          res.writeHead(502);
          res.end(String(err));
        });
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${port}`, refusals, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function runCli(file: string, url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-rel-cli-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CT_DATA_DIR: emptyDir };
  delete env.CT_INGEST_TOKEN;
  delete env.CLICKHOUSE_URL;
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'ingest', 'cli.ts'), file, '--url', url, '--token', INGEST_TOKEN], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      fs.rmSync(emptyDir, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    }),
  );
}

export async function cliRetryScenario(opts: { lines: number; say?: (s: string) => void }): Promise<ScenarioResult> {
  const rec = new Recorder(`CLI honours Retry-After: npm run ingest of ${opts.lines.toLocaleString('en')} lines through a throttling front`, opts.say);
  const server = await TestServer.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-rel-clifile-'));
  const file = path.join(dir, 'events.ndjson');
  const now = Date.now();
  fs.writeFileSync(file, Array.from({ length: opts.lines }, (_, i) => JSON.stringify(liveEvent('cli', i, now))).join('\n') + '\n');
  const front = await throttlingFront(server.url);
  try {
    const started = Date.now();
    const r = await runCli(file, front.url);
    const totals = JSON.parse(r.stdout.trim().split('\n').pop() || '{}') as { accepted?: number; duplicates?: number; rejected?: number };
    rec.note(`${front.refusals.length} refusals (${front.refusals.filter((x) => x.status === 429).length} × 429 Retry-After 2, ${front.refusals.filter((x) => x.status === 503).length} × 503 Retry-After 1); CLI finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    rec.check('CLI exit status', r.code === 0, `${r.code}${r.code ? `: ${r.stderr.slice(-300)}` : ''}`, '0');
    rec.check('CLI totals', totals.accepted === opts.lines && totals.rejected === 0, JSON.stringify(totals), `accepted ${opts.lines}`);
    const early = front.refusals.filter((x) => x.waited === undefined || x.waited < x.retryAfter * 1000 - 20);
    rec.check('every resend waited at least Retry-After', front.refusals.length > 0 && early.length === 0, front.refusals.map((x) => `${x.status}: ${x.waited ?? '?'} ms`).join(', '), '≥ 2000 ms after 429, ≥ 1000 ms after 503');
    await server.stop();
    const c = inspectStore(server.dataDir);
    rec.check('stored exactly once', c.rows === opts.lines && c.distinct === opts.lines, `${c.rows} rows, ${c.distinct} distinct`, String(opts.lines));
  } finally {
    await front.close();
    await server.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rec.result();
}
