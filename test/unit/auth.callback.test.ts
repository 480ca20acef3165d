import { describe, expect, it } from 'vitest';
import { safeCallbackPath } from '@/lib/auth/callback';

const OURS = 'http://tower.local:3000';

/** What a browser would do with the result: resolve it against our page and navigate there. */
const landsOn = (path: string) => new URL(path, `${OURS}/login`);

const HOSTILE = [
  '//evil.example/',
  '///evil.example/',
  '/.//evil.example/',
  '/x/..//evil.example/',
  '/./x/../..//evil.example',
  '/%2e//evil.example',
  '/%2E%2E//evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '/\\/evil.example',
  '%2F%2Fevil.example',
  '/%2F%2Fevil.example',
  '/%2F/evil.example',
  '/%5Cevil.example',
  '%5C%5Cevil.example',
  '/%5C%5Cevil.example',
  '%252F%252Fevil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '\t//evil.example',
  ' //evil.example',
  '/\u0000/evil.example',
  'javascript:alert(document.cookie)',
  'JavaScript:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'http://evil.example/',
  'https://evil.example/exceptions',
  'http://evil.example@tower.local:3000/',
  'http://tower.local:3000@evil.example/',
  'https://tower.local:3000/exceptions', // another scheme is another origin
  'http://tower.local:3001/exceptions', // another port too
  'http://tower.local:3000//evil.example/',
  'http://tower.local:3000/.//evil.example/',
  'http:evil.example',
  'http:/evil.example',
  'evil.example',
  './/evil.example',
  '',
  '/%',
];

describe('safeCallbackPath', () => {
  for (const raw of HOSTILE) {
    it(`refuses ${JSON.stringify(raw)}`, () => {
      const out = safeCallbackPath(raw, OURS);
      expect(out).toBe('/');
      expect(landsOn(out).origin).toBe(OURS);
    });
  }

  it('keeps our own paths, normalised, with query and fragment', () => {
    expect(safeCallbackPath('/exceptions?status=open', OURS)).toBe('/exceptions?status=open');
    expect(safeCallbackPath('/c/SO-1%2F2#history', OURS)).toBe('/c/SO-1%2F2#history');
    expect(safeCallbackPath('/a/b/../c/./d', OURS)).toBe('/a/c/d');
    expect(safeCallbackPath('/login?sso=1&callbackUrl=%2Fexceptions', OURS)).toBe('/login?sso=1&callbackUrl=%2Fexceptions');
    // Percent-encoded twice is a literal path of ours, not a host.
    const twice = safeCallbackPath('/%252F%252Fevil.example', OURS);
    expect(landsOn(twice).origin).toBe(OURS);
    expect(landsOn(twice).pathname).toBe('/%252F%252Fevil.example');
  });

  it('maps an absolute address on our own origin to its path, and refuses it without a known origin', () => {
    expect(safeCallbackPath('http://tower.local:3000/exceptions?x=1', OURS)).toBe('/exceptions?x=1');
    expect(safeCallbackPath('HTTP://TOWER.LOCAL:3000/close', OURS)).toBe('/close');
    expect(safeCallbackPath('http://tower.local:3000/close')).toBe('/');
  });

  it('refuses what is not a string, and is idempotent', () => {
    for (const v of [undefined, null, 42, ['/x'], {}]) expect(safeCallbackPath(v, OURS)).toBe('/');
    for (const v of ['/exceptions?status=open', '/a/b/../c', '/%252F%252Fx', '/.//evil.example']) {
      const once = safeCallbackPath(v, OURS);
      expect(safeCallbackPath(once, OURS)).toBe(once);
    }
  });
});
