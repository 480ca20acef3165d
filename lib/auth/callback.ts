/**
 * Where to send a browser after sign-in: a path on our own origin, or '/'. Used by next-auth's redirect
 * callback, the proxy, the login page and the login form alike, so server and browser agree.
 *
 * Browsers read `//host`, `/\host`, `\\host` and `/<tab>/host` as another host, and `/./`, `/x/../`
 * collapse into `//` when the address is resolved. So the value is resolved first and judged after:
 * anything that is not plainly one of our paths becomes '/'.
 */

const PLACEHOLDER = 'http://ct.invalid';

/** Control characters (URL parsers drop tabs and newlines silently) and backslashes (read as '/'). */
const SUSPECT = /[\u0000-\u001f\u007f\\]/;

function decodedOnce(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** True when a path, raw or percent-decoded once, could be read as a host-relative address. */
function hostLike(p: string): boolean {
  const d = decodedOnce(p);
  if (d === null) return true;
  return [p, d].some((s) => SUSPECT.test(s) || s.startsWith('//'));
}

/**
 * `raw` as a normalised same-origin path (`/path?query#hash`), else '/'. `ownOrigin` (scheme, host and
 * port: NEXTAUTH_URL's, or the page's) lets an absolute address on our own origin through as its path.
 */
export function safeCallbackPath(raw: unknown, ownOrigin?: string): string {
  if (typeof raw !== 'string' || raw === '' || raw.length > 2048 || SUSPECT.test(raw)) return '/';
  let candidate = raw;
  if (!raw.startsWith('/')) {
    // Only an absolute http(s) address on our own origin; javascript:, data:, relative paths: no.
    if (!ownOrigin || !/^https?:\/\//i.test(raw)) return '/';
    let url: URL;
    try {
      url = new URL(raw);
      if (url.origin !== new URL(ownOrigin).origin || url.username || url.password) return '/';
    } catch {
      return '/';
    }
    candidate = `${url.pathname}${url.search}${url.hash}`;
  }
  if (candidate.startsWith('//')) return '/';
  let url: URL;
  try {
    url = new URL(candidate, PLACEHOLDER);
  } catch {
    return '/';
  }
  if (url.origin !== PLACEHOLDER) return '/';
  // Resolving may have produced `//host` out of `/./`, `/x/..//` or encoded dots.
  if (hostLike(url.pathname)) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
