import net from 'node:net';
import { describe, expect, inject, it } from 'vitest';

/**
 * Against the real server (scripts/serve.mjs, as npm start runs it): answers that must not be a bare 500,
 * the per-request CSP nonce on real pages, and connections that stall are closed within bounds.
 */
const base = inject('baseUrl');
const api = { authorization: `Bearer ${inject('apiToken')}` };
const port = Number(new URL(base).port);

function securityHeaders(res: Response, what: string) {
  expect(res.headers.get('content-security-policy'), what).toContain("frame-ancestors 'none'");
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(res.headers.get('x-frame-options'), what).toBe('DENY');
}

describe('bad paths and unknown endpoints', () => {
  it('a path segment that is not valid UTF-8: 400 with security headers (JSON on the API), never 500', async () => {
    const cases: [string, string][] = [
      ['GET', '/api/v1/correlations/%FF'],
      ['GET', '/api/v1/exceptions/%FF'],
      ['POST', '/api/v1/alerts/%FF/silence'],
      ['POST', '/api/v1/ingest/%FF'],
    ];
    for (const [method, path] of cases) {
      const res = await fetch(base + path, { method, headers: { ...api, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
      expect(res.status, path).toBe(400);
      securityHeaders(res, path);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, path).toBe('bad_request');
      expect(body.error.message, path).toMatch(/^path: segment \d+ \("%FF"\)/);
    }
    for (const path of ['/c/%FF', '/w/%FF']) {
      const res = await fetch(base + path, { redirect: 'manual' });
      expect(res.status, path).toBe(400);
      securityHeaders(res, path);
    }
  });

  it('unknown /api/v1 paths: JSON 404 for every method; unserved methods on real routes: JSON 405', async () => {
    for (const [method, path] of [['GET', '/api/v1/nope'], ['POST', '/api/v1/kpi/nope'], ['DELETE', '/api/v1/alerts/x/y/z'], ['GET', '/api/v1/ingest/extra']]) {
      const res = await fetch(base + path!, { method, headers: api });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
      securityHeaders(res, path!);
    }
    for (const [method, path, allow] of [['PUT', '/api/v1/kpi/sync-lag', 'GET, HEAD'], ['POST', '/api/v1/kpi/summary', 'GET, HEAD'], ['DELETE', '/api/v1/ingest', 'POST'], ['PATCH', '/v1/traces', 'POST']]) {
      const res = await fetch(base + path!, { method, headers: api });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow'), path).toBe(allow);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
    }
  });

  it('far-future and far-past times: 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['/api/v1/kpi/summary?from=2026-01-01&to=5000-01-01', 'to'],
      ['/api/v1/kpi/close-readiness?period=9999-12', 'period'],
      ['/api/v1/kpi/close-readiness?as_of=9999-12-31', 'as_of'],
      ['/api/v1/kpi/drift?as_of=0001-01-01', 'as_of'],
      ['/api/v1/kpi/sync-lag/series?from=1000-01-01&to=2026-01-01&tz=Europe/Berlin', 'from'],
    ];
    for (const [path, name] of cases) {
      const res = await fetch(base + path, { headers: api });
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message, path).toMatch(new RegExp(`^${name}: `));
    }
  });
});

describe('CSP nonce on real pages', () => {
  it('every <script> of a rendered page carries the nonce of its CSP, which changes per request', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${base}/login`);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy')!;
      const script = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'))!;
      expect(script).not.toContain("'unsafe-inline'");
      expect(script).toContain("'strict-dynamic'");
      const nonce = /'nonce-([^']+)'/.exec(script)![1]!;
      nonces.add(nonce);
      const html = await res.text();
      const tags = html.match(/<script\b[^>]*>/g) ?? [];
      expect(tags.length).toBeGreaterThan(0);
      for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
    }
    expect(nonces.size).toBe(2);
  });
});

/** Opens a raw connection, writes `data`, and resolves with what came back and when the server closed it. */
function stall(data: string, limitMs: number): Promise<{ closedAfterMs: number | null; received: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let received = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(data));
    socket.setEncoding('utf8');
    socket.on('data', (d) => (received += d));
    socket.on('error', () => undefined);
    const give = setTimeout(() => {
      socket.destroy();
      resolve({ closedAfterMs: null, received });
    }, limitMs);
    socket.on('close', () => {
      clearTimeout(give);
      resolve({ closedAfterMs: Date.now() - started, received });
    });
  });
}

describe('connections that stall are closed', () => {
  it('headers never finished: closed within ~20 s; a body shorter than its Content-Length: 408 and closed within ~30 s', async () => {
    const host = `Host: localhost:${port}\r\n`;
    const [headers, body] = await Promise.all([
      stall(`GET /api/health HTTP/1.1\r\n${host}X-Slow: `, 45_000),
      stall(
        `POST /api/v1/ingest HTTP/1.1\r\n${host}Authorization: Bearer ${inject('ingestToken')}\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n{"event_id":`,
        45_000,
      ),
    ]);
    expect(headers.closedAfterMs, 'incomplete headers').not.toBeNull();
    expect(headers.closedAfterMs!).toBeLessThan(25_000);
    expect(body.closedAfterMs, 'stalled body').not.toBeNull();
    expect(body.closedAfterMs!).toBeLessThan(36_000);
    expect(body.received).toMatch(/^HTTP\/1\.1 408/);
  }, 60_000);
});
