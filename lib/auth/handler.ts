import type { NextApiRequest, NextApiResponse } from 'next';
import NextAuth from 'next-auth';
import { isAppError } from '@/lib/errors';
import { readBody as readLimitedBody } from '@/lib/http/body';
import { parseCookies } from '@/lib/http/cookies';
import { errorResponse, json } from '@/lib/http/respond';
import { withCallbackFailure } from './oidc';
import { authOptions } from './options';
import { publicOrigin } from './origin';
import { throttleState } from './throttle';

/**
 * /api/auth/* served from a plain Request. next-auth's App Router entry reads cookies and headers from
 * next/headers, which only exists inside a Next request; its API-route entry takes them from the
 * request object. We drive that entry, so the same code path runs under `next start` and in tests
 * that call the route handler directly.
 */

const MAX_BODY = 64 * 1024;

type Body = Record<string, string>;

async function formBody(req: Request): Promise<Body | undefined | 'too_large'> {
  if (req.method !== 'POST' || !req.body) return undefined;
  let text: string;
  try {
    text = (await readLimitedBody(req, MAX_BODY)).toString('utf8');
  } catch (err) {
    if (isAppError(err) && err.code === 'payload_too_large') return 'too_large';
    throw err;
  }
  const type = req.headers.get('content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  if (type.includes('application/json')) {
    try {
      const v: unknown = JSON.parse(text);
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        // next-auth compares `json` and `redirect` with "true": scalars become strings as in a form.
        return Object.fromEntries(Object.entries(v).flatMap(([k, x]) => (typeof x === 'string' || typeof x === 'boolean' ? [[k, String(x)]] : [])));
      }
    } catch {
      return {};
    }
  }
  return {};
}

/** Collects what next-auth writes to a Node response and turns it into a fetch Response. */
class CollectingResponse {
  statusCode = 200;
  readonly headers = new Headers();
  body: BodyInit | null = null;
  status(code: number): this {
    this.statusCode = code;
    return this;
  }
  getHeader(name: string): string[] | string | undefined {
    if (name.toLowerCase() === 'set-cookie') return this.headers.getSetCookie();
    return this.headers.get(name) ?? undefined;
  }
  setHeader(name: string, value: string | string[]): this {
    this.headers.delete(name);
    for (const v of Array.isArray(value) ? value : [value]) this.headers.append(name, v);
    return this;
  }
  json(v: unknown): this {
    this.headers.set('content-type', 'application/json');
    this.body = JSON.stringify(v);
    return this;
  }
  send(v: unknown): this {
    if (typeof v === 'string') this.body = v;
    else if (v !== undefined && v !== null) return this.json(v);
    return this;
  }
  end(): this {
    return this;
  }
  toResponse(): Response {
    const hasBody = this.body !== null && this.statusCode !== 204 && this.statusCode !== 304;
    return new Response(hasBody ? this.body : null, { status: this.statusCode, headers: this.headers });
  }
}

function rateLimited(req: Request, retryAfterS: number): Response {
  const url = new URL('/login?error=rate_limited', publicOrigin(req)).toString();
  // `url` lets next-auth's signIn() report the error as `rate_limited` instead of failing to parse.
  return json(
    { error: { code: 'rate_limited', message: 'too many failed sign-ins for this account; try again later' }, url },
    429,
    { 'retry-after': String(retryAfterS) },
  );
}

export async function authRoute(req: Request, segments: readonly string[]): Promise<Response> {
  try {
    return await serve(req, segments);
  } catch (err) {
    return errorResponse(err); // e.g. a half-configured SSO: logged, answered 500 without detail
  }
}

async function serve(req: Request, segments: readonly string[]): Promise<Response> {
  // With a logger configured, next-auth would write whatever a client posts here into our log.
  if (segments[0] === '_log') return new Response(null, { status: 204 });
  const body = await formBody(req);
  if (body === 'too_large') return json({ error: { code: 'payload_too_large', message: 'sign-in body too large' } }, 413);
  // Credentials sign-in: a throttled account gets 429 before its password is even looked at.
  if (req.method === 'POST' && segments[0] === 'callback' && segments[1] === 'credentials' && body?.email) {
    const t = throttleState(body.email);
    if (t.limited) return rateLimited(req, t.retryAfterS);
  }
  const url = new URL(req.url);
  // next-auth builds its addresses from these when NEXTAUTH_URL is unset (and AUTH_TRUST_HOST or VERCEL
  // is set): it sees our configured origin, never a client's Host or X-Forwarded-*.
  const origin = new URL(publicOrigin(req));
  const apiReq = {
    method: req.method,
    headers: { ...Object.fromEntries(req.headers), host: origin.host, 'x-forwarded-host': origin.host, 'x-forwarded-proto': origin.protocol.slice(0, -1) },
    cookies: Object.fromEntries(parseCookies(req.headers.get('cookie'))),
    query: { ...Object.fromEntries(url.searchParams), nextauth: [...segments] },
    body: body ?? {},
  };
  const res = new CollectingResponse();
  const { failure } = await withCallbackFailure(() => NextAuth(apiReq as unknown as NextApiRequest, res as unknown as NextApiResponse, authOptions()));
  // A failed SSO callback: name the kind of failure instead of next-auth's catch-all code.
  const location = res.headers.get('location');
  if (failure && location?.includes('error=OAuthCallback')) res.headers.set('location', location.replace('error=OAuthCallback', `error=${failure}`));
  const out = res.toResponse();
  out.headers.set('cache-control', 'no-store');
  return out;
}
