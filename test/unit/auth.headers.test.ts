import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { config as proxyConfig, proxy } from '@/proxy';

// The pattern compiler Next.js itself uses for header sources and proxy matchers (untyped, hence require).
const { pathToRegexp } = createRequire(import.meta.url)('next/dist/compiled/path-to-regexp') as { pathToRegexp: (source: string, keys: unknown[], opts: object) => RegExp };
const parse = (csp: string) => Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));

type Rule = { source: string; has?: { type: string; key: string; value?: string }[]; headers: { key: string; value: string }[] };

describe('security headers (next.config.js)', async () => {
  // next.config.js is plain JS (no types): loaded as a module by URL.
  const mod = (await import(/* @vite-ignore */ pathToFileURL(path.resolve(__dirname, '../../next.config.js')).href)) as { default: { headers: () => Promise<Rule[]> } };
  const rules = await mod.default.headers();
  const always = rules.filter((r) => r.source === '/:path*' && !r.has).flatMap((r) => r.headers);
  const get = (k: string) => always.find((h) => h.key.toLowerCase() === k.toLowerCase())?.value;

  // Paths the proxy does not see get a fixed policy that allows nothing (they serve no HTML).
  const locked = rules.find((r) => !r.has && r.headers.some((h) => h.key === 'Content-Security-Policy'))!;
  it('gives the paths the proxy does not see a CSP that allows nothing, and no other path a fixed one', () => {
    expect(locked.source).not.toBe('/:path*');
    const directives = parse(locked.headers[0]!.value);
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    expect(get('Content-Security-Policy')).toBeUndefined();
  });

  it('every path gets exactly one CSP: from the proxy (its matcher) or from next.config.js', () => {
    const opts = { strict: true, sensitive: false, delimiter: '/' };
    const proxied = pathToRegexp(proxyConfig.matcher[0]!, [], opts);
    const unproxied = pathToRegexp(locked.source, [], opts);
    const paths = ['/', '/login', '/c/SO-1', '/w/DC-ATL', '/alerts', '/api/v1/kpi/sync-lag', '/api/v1/correlations/%FF', '/api/auth/session', '/api/health',
      '/api/v1/no/such', '/api/v1/ingest', '/api/v1/ingest/x', '/v1/traces', '/v1/traces/x', '/v1/other', '/_next/static/chunks/a.js', '/_next/image', '/favicon.ico', '/robots.txt'];
    for (const p of paths) expect(Number(proxied.test(p)) + Number(unproxied.test(p)), p).toBe(1);
    for (const p of ['/api/v1/ingest', '/v1/traces', '/_next/static/chunks/a.js']) expect(proxied.test(p), p).toBe(false);
  });
  it('sends nosniff, a referrer policy and DENY framing on every path', () => {
    expect(get('X-Content-Type-Options')).toBe('nosniff');
    expect(get('Referrer-Policy')).toBe('strict-origin-when-cross-origin');
    expect(get('X-Frame-Options')).toBe('DENY');
  });
  it('sends HSTS only when the request came over https', () => {
    expect(get('Strict-Transport-Security')).toBeUndefined();
    const hsts = rules.find((r) => r.headers.some((h) => h.key === 'Strict-Transport-Security'))!;
    expect(hsts.has).toEqual([{ type: 'header', key: 'x-forwarded-proto', value: 'https' }]);
    expect(hsts.headers[0]!.value).toMatch(/^max-age=\d{7,}/);
  });
});

const csp = (res: Response) => res.headers.get('content-security-policy') ?? '';

describe('CSP with a per-request nonce (proxy.ts)', () => {
  it('sends script-src with a fresh nonce and strict-dynamic, never unsafe-inline, on pages and API answers', async () => {
    const seen = new Set<string>();
    for (const url of ['http://localhost/login', 'http://localhost/', 'http://localhost/api/v1/kpi/sync-lag', 'http://localhost/login']) {
      const res = await proxy(new NextRequest(url));
      const d = parse(csp(res));
      expect(d['default-src'], url).toEqual(["'self'"]);
      expect(d['object-src'], url).toEqual(["'none'"]);
      expect(d['base-uri'], url).toEqual(["'none'"]);
      expect(d['frame-ancestors'], url).toEqual(["'none'"]);
      expect(d['script-src'], url).toContain("'strict-dynamic'");
      expect(d['script-src'], url).not.toContain("'unsafe-inline'");
      expect(d['script-src'], url).not.toContain("'unsafe-eval'"); // tests run with NODE_ENV=test
      expect(csp(res), url).not.toMatch(/\*|https?:/);
      const nonce = d['script-src']!.find((s) => s.startsWith("'nonce-"))!;
      expect(nonce, url).toMatch(/^'nonce-[A-Za-z0-9+/]{22}=='$/);
      seen.add(nonce);
    }
    expect(seen.size).toBe(4);
  });

  it('hands the nonce to the page render (request headers Next reads), matching the response policy', async () => {
    const res = await proxy(new NextRequest('http://localhost/login'));
    const nonce = /'nonce-([^']+)'/.exec(csp(res))![1];
    expect(res.headers.get('x-middleware-request-x-nonce')).toBe(nonce);
    expect(res.headers.get('x-middleware-request-content-security-policy')).toBe(csp(res));
  });
});

describe('paths that are not valid percent-encoded UTF-8 (proxy.ts)', () => {
  it('API paths: a JSON 400 naming the segment, with the CSP, for every method', async () => {
    const cases: [string, string][] = [
      ['GET', '/api/v1/correlations/%FF'],
      ['GET', '/api/v1/exceptions/%FF'],
      ['POST', '/api/v1/alerts/%FF/silence'],
      ['POST', '/api/v1/exceptions/EXC-1/%E2%82'],
      ['GET', '/api/v1/no-such/%C0%AF'],
    ];
    for (const [method, path] of cases) {
      const res = await proxy(new NextRequest(`http://localhost${path}`, { method, headers: { authorization: 'Bearer test-api-token' } }));
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/json/);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, path).toBe('bad_request');
      const seg = path.split('/').find((s) => /%/.test(s))!;
      expect(body.error.message, path).toMatch(new RegExp(`^path: segment \\d+ \\("${seg}"\\)`));
      expect(csp(res), path).toContain("frame-ancestors 'none'");
    }
  });

  it('pages: a 400 (not a 500 or a login redirect), with the CSP', async () => {
    for (const path of ['/c/%FF', '/w/%FF', '/c/SO-%E2%28%A1']) {
      const res = await proxy(new NextRequest(`http://localhost${path}`));
      expect(res.status, path).toBe(400);
      expect(res.headers.get('location'), path).toBeNull();
      expect(csp(res), path).toContain("object-src 'none'");
    }
    // A valid encoding passes on (here: to the login redirect of a page without a session).
    expect((await proxy(new NextRequest('http://localhost/c/SO-%E2%82%AC'))).status).toBe(307);
  });
});
