import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

type Rule = { source: string; has?: { type: string; key: string; value?: string }[]; headers: { key: string; value: string }[] };

describe('security headers (next.config.js)', async () => {
  // next.config.js is plain JS (no types): loaded as a module by URL.
  const mod = (await import(/* @vite-ignore */ pathToFileURL(path.resolve(__dirname, '../../next.config.js')).href)) as { default: { headers: () => Promise<Rule[]> } };
  const rules = await mod.default.headers();
  const always = rules.filter((r) => r.source === '/:path*' && !r.has).flatMap((r) => r.headers);
  const get = (k: string) => always.find((h) => h.key.toLowerCase() === k.toLowerCase())?.value;

  it('sends a CSP that forbids plugins, <base>, framing and foreign sources', () => {
    const csp = get('Content-Security-Policy')!;
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['script-src']).not.toContain("'unsafe-eval'"); // tests run with NODE_ENV=test
    expect(csp).not.toMatch(/\*|https?:/);
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
