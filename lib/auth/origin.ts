import { env } from '@/lib/config/env';

/**
 * The tower's public origin (scheme, host and port) comes from configuration, never from the request:
 * Host and X-Forwarded-* are whatever the client (or a proxy) says. NEXTAUTH_URL wins; `npm start` sets
 * it to http://localhost:$PORT when unset. Only with CT_TRUST_PROXY=1 (a reverse proxy in front that
 * sets these headers and drops the client's) do X-Forwarded-Proto/-Host stand in for a missing
 * NEXTAUTH_URL. The same-origin check, the proxy's redirects and next-auth all use this one answer.
 */

/** NEXTAUTH_URL's origin, or null when unset. Like next-auth, a value without a scheme means https. */
export function configuredOrigin(): string | null {
  const raw = env().NEXTAUTH_URL;
  if (!raw) return null;
  try {
    return new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`).origin;
  } catch {
    throw new Error('configuration: NEXTAUTH_URL: expected the public URL, e.g. https://tower.example.com');
  }
}

const firstValue = (v: string | null): string | undefined => v?.split(',')[0]?.trim() || undefined;

function forwardedOrigin(headers: Headers): string | null {
  const host = firstValue(headers.get('x-forwarded-host'));
  if (!host) return null;
  const proto = firstValue(headers.get('x-forwarded-proto'))?.toLowerCase() === 'https' ? 'https' : 'http';
  try {
    const url = new URL(`${proto}://${host}`);
    // A host header value, not an address with a path or credentials.
    return url.host === host.toLowerCase() ? url.origin : null;
  } catch {
    return null;
  }
}

export function publicOrigin(req: { headers: Headers }): string {
  const e = env();
  return configuredOrigin() ?? (e.CT_TRUST_PROXY ? forwardedOrigin(req.headers) : null) ?? `http://localhost:${e.PORT}`;
}

/** The origin a browser says the request came from: Origin, else Referer's origin; null when neither says. */
export function requestOrigin(req: { headers: Headers }): string | null {
  const given = req.headers.get('origin') ?? req.headers.get('referer');
  if (!given || given === 'null') return null;
  try {
    return new URL(given).origin;
  } catch {
    return null;
  }
}

/** Exactly our origin: same scheme, host and port. */
export function isSameOrigin(req: { headers: Headers }): boolean {
  const from = requestOrigin(req);
  return from !== null && from === publicOrigin(req);
}
