import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port';

/**
 * `npm run ingest` against a server that takes the first chunk and then answers 503 forever: the CLI
 * gives up within CT_INGEST_RETRY_MAX_S, exits non-zero and says which lines were stored and which not.
 */
const LINES = 25_000; // the CLI sends 10,000-line chunks: one stored, the rest refused
const BOUND_S = 3;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-cli-retry-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function refusingServer() {
  const requests: { at: number; status: number }[] = [];
  const port = await freePort();
  const server = http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      if (requests.length === 0) {
        const lines = Buffer.concat(body).toString('utf8').split('\n').filter(Boolean).length;
        requests.push({ at: Date.now(), status: 200 });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ accepted: lines, duplicates: 0, rejected: 0, errors: [] }));
        return;
      }
      requests.push({ at: Date.now(), status: 503 });
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ error: { code: 'store_unavailable', message: 'down for the test' } }));
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('npm run ingest against a server that keeps answering 503', () => {
  it('stops within the retry bound, non-zero, naming the stored and the unsent lines', { timeout: 60_000 }, async () => {
    const file = path.join(dir, 'events.ndjson');
    const t0 = Date.UTC(2026, 9, 1);
    const lines = Array.from({ length: LINES }, (_, i) =>
      JSON.stringify({ event_id: `retry-${i}`, type: 'sync.message', occurred_at: new Date(t0 + i * 1000).toISOString(), source_system: 'WMS', target_system: 'ERP' }),
    );
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const server = await refusingServer();
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, CT_DATA_DIR: path.join(dir, 'store'), CT_INGEST_RETRY_MAX_S: String(BOUND_S) };
      delete env.CT_INGEST_TOKEN;
      const child = spawn(process.execPath, ['--import', 'tsx', 'ingest/cli.ts', file, '--url', server.url, '--token', 'test-token'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      const exitedAt = Date.now();

      expect(code, stderr).not.toBe(0);
      expect(code, stderr).not.toBeNull();
      const refusals = server.requests.filter((r) => r.status === 503);
      expect(refusals.length, stderr).toBeGreaterThanOrEqual(2);
      // Retry-After is honoured between attempts, and the whole wait stays within the bound.
      for (let i = 1; i < refusals.length; i++) expect(refusals[i]!.at - refusals[i - 1]!.at).toBeGreaterThanOrEqual(990);
      expect(refusals[refusals.length - 1]!.at - refusals[0]!.at).toBeLessThanOrEqual(BOUND_S * 1000);
      expect(exitedAt - refusals[0]!.at).toBeLessThan(BOUND_S * 1000 + 2000);

      expect(stderr).toContain(`stopped at line 10,001 of ${file}: the server answered 503 for`);
      expect(stderr).toContain(`retry limit ${BOUND_S} s`);
      expect(stderr).toContain(`stored: lines 1–10,000 of ${file} (accepted 10,000 · duplicates 0 · rejected 0)`);
      expect(stderr).toContain(`not stored: lines 10,001–25,000 of ${file}`);
      expect(stderr).toContain('Rerun the same command: resending is safe, duplicates are dropped.');
    } finally {
      await server.close();
    }
  });
});
