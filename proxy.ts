import { NextResponse, type NextRequest } from 'next/server';
import { refreshedCookie, resolveSession } from '@/lib/auth/session';

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

function loginRedirect(req: NextRequest): NextResponse {
  const to = req.nextUrl.clone();
  to.pathname = '/login';
  to.search = '';
  to.searchParams.set('callbackUrl', `${req.nextUrl.pathname}${req.nextUrl.search}`);
  return NextResponse.redirect(to);
}

export async function proxy(req: NextRequest): Promise<NextResponse> {
  const { pathname } = req.nextUrl;
  const session = await resolveSession(req);
  const isPage = !isApi(pathname) && !PUBLIC_PAGES.has(pathname) && (req.method === 'GET' || req.method === 'HEAD');
  if (isPage && !session) return loginRedirect(req);
  const res = NextResponse.next();
  // next-auth writes (and on sign-out clears) this cookie on /api/auth itself; never race it there.
  if (session && !pathname.startsWith('/api/auth/')) {
    const cookie = await refreshedCookie(session);
    if (cookie) res.cookies.set(cookie.name, cookie.value, cookie.options);
  }
  return res;
}

export const config = {
  // Static assets (the icons too: a signed-out tab asks for them) carry no session and need no
  // redirect. Ingest endpoints are machine-only (bearer tokens) and must bypass the proxy: Next.js
  // cuts a body that passes through it at 10 MB, under the 16 MiB the ingest contract accepts.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|icon.svg|robots.txt|api/v1/ingest|v1/traces).*)'],
};
