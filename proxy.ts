import { NextResponse, type NextRequest } from 'next/server';
import { safeCallbackPath } from '@/lib/auth/callback';
import { publicOrigin } from '@/lib/auth/origin';
import { refreshedCookie, resolveSession } from '@/lib/auth/session';
import { AppError } from '@/lib/errors';
import { contentSecurityPolicy, newNonce } from '@/lib/http/csp';
import { errorResponse } from '@/lib/http/respond';

/**
 * Convenience, not access control: pages without a session are sent to /login, and an active
 * session's cookie is re-issued now and then so the idle timeout counts from the last request.
 * Every API handler decides access itself (lib/auth/route.ts), whatever happened here.
 */

const PUBLIC_PAGES = new Set(['/login']);

/** Machine and JSON endpoints answer 401 themselves; a redirect to an HTML form would only confuse clients. */
function isApi(pathname: string): boolean {
  return pathname === '/api' || pathname.startsWith('/api/') || pathname.startsWith('/v1/');
}

/** To /login on our configured origin (never the request's Host), coming back only to a path of ours. */
function loginRedirect(req: NextRequest): NextResponse {
  const to = new URL('/login', publicOrigin(req));
  to.searchParams.set('callbackUrl', safeCallbackPath(`${req.nextUrl.pathname}${req.nextUrl.search}`));
  return NextResponse.redirect(to);
}

/** The first path segment that is not valid percent-encoded UTF-8 (1-based), or null. */
function undecodableSegment(pathname: string): { index: number; raw: string } | null {
  const segments = pathname.split('/');
  for (let i = 1; i < segments.length; i++) {
    try {
      decodeURIComponent(segments[i]!);
    } catch {
      return { index: i, raw: segments[i]! };
    }
  }
  return null;
}

/**
 * Next decodes dynamic route parameters itself and answers an undecodable one with a bare text 500,
 * before any handler (or the security headers) runs; such a path is refused here, as the bad request it is.
 */
function badPath(pathname: string, bad: { index: number; raw: string }): Response {
  const message = `path: segment ${bad.index} ("${bad.raw.slice(0, 64)}") is not valid percent-encoded UTF-8`;
  if (isApi(pathname)) return errorResponse(new AppError('bad_request', message));
  return new Response(`Bad request: ${message}.\n`, { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
}

function withCsp<R extends Response>(res: R, csp: string): R {
  res.headers.set('Content-Security-Policy', csp);
  return res;
}

export async function proxy(req: NextRequest): Promise<Response> {
  const { pathname } = req.nextUrl;
  const nonce = newNonce();
  const csp = contentSecurityPolicy(nonce);
  const bad = undecodableSegment(pathname);
  if (bad) return withCsp(badPath(pathname, bad), csp);
  const session = await resolveSession(req);
  const isPage = !isApi(pathname) && !PUBLIC_PAGES.has(pathname) && (req.method === 'GET' || req.method === 'HEAD');
  if (isPage && !session) return withCsp(loginRedirect(req), csp);
  // Next takes the nonce for its own inline scripts from the request's CSP header; x-nonce is for ours.
  const headers = new Headers(req.headers);
  headers.set('content-security-policy', csp);
  headers.set('x-nonce', nonce);
  const res = withCsp(NextResponse.next({ request: { headers } }), csp);
  // next-auth writes (and on sign-out clears) this cookie on /api/auth itself; never race it there.
  if (session && !pathname.startsWith('/api/auth/')) {
    const cookie = await refreshedCookie(session);
    if (cookie) res.cookies.set(cookie.name, cookie.value, cookie.options);
  }
  return res;
}

export const config = {
  // Static assets (the icons too: a signed-out tab asks for them) carry no session and need no redirect. Ingest endpoints are machine-only (bearer
  // tokens) and must bypass the proxy: Next.js cuts a body that passes through it at 10 MB, under
  // the 16 MiB the ingest contract accepts. Exact paths: anything below them is an unknown (or
  // undecodable) path the proxy answers for. next.config.js's UNPROXIED mirrors this list.
  matcher: ['/((?!_next/static/|_next/image$|favicon\\.ico$|icon\\.svg$|robots\\.txt$|api/v1/ingest$|v1/traces$).*)'],
};
