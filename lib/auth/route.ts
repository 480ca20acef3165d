import { AppError } from '@/lib/errors';
import { errorResponse } from '@/lib/http/respond';
import { warehouseParams } from '@/lib/http/params';
import { ALL, narrow, type QueryScope, type Scope } from '@/lib/scope';
import { noteIngested, readKey, sharedRead, type SharedAnswer } from '@/lib/server/shared-reads';
import { serverState } from '@/lib/server/state';
import { isSameOrigin } from './origin';
import { can, type Permission, type Principal } from './roles';
import { sessionPrincipal } from './session';
import { apiToken, ingestToken, tokenEquals } from './tokens';

export interface RouteContext<P> {
  req: Request;
  url: URL;
  principal: Principal;
  scope: Scope;
  /** The caller's scope narrowed by the request's `warehouse` filters (already checked against scope). */
  warehouses: { scope: QueryScope; requested: string[] };
  params: P;
}

type NextCtx<P> = { params: Promise<P> };
export type Handler<P> = (req: Request, ctx: NextCtx<P>) => Promise<Response>;

async function identify(req: Request): Promise<Principal> {
  const auth = req.headers.get('authorization');
  if (auth !== null) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m) throw new AppError('unauthorized', 'authorization: expected "Bearer <token>"');
    const token = m[1]!;
    // Both comparisons always run, so timing does not tell which token kind was close.
    const isIngest = tokenEquals(token, ingestToken());
    const isApi = tokenEquals(token, apiToken());
    if (isApi) return { kind: 'api_token' };
    if (isIngest) return { kind: 'ingest_token' };
    throw new AppError('unauthorized', 'authorization: invalid token');
  }
  const user = await sessionPrincipal(req);
  if (!user) throw new AppError('unauthorized', 'sign in or send a bearer token');
  return user;
}

function scopeOf(p: Principal): Scope {
  if (p.kind !== 'user') return ALL;
  if (p.role === 'admin' || p.warehouses === '*') return ALL;
  return { all: false, warehouses: p.warehouses };
}

/**
 * Cookie-authenticated state changes must come from our own origin (CSRF): Origin (else Referer) equal to
 * the configured public origin in scheme, host and port. Bearer calls carry no ambient credential.
 */
function checkSameOrigin(req: Request, principal: Principal) {
  if (principal.kind !== 'user') return;
  if (!isSameOrigin(req)) throw new AppError('forbidden', 'cross-origin request refused');
}

/**
 * Every route handler is built here: identity → role → scope → handler, and every error leaves
 * through errorResponse. Middleware may redirect pages, but this is where access is decided.
 */
export function route<P = Record<string, never>>(
  perm: Permission,
  fn: (ctx: RouteContext<P>) => Promise<Response>,
): Handler<P> {
  return async (req, ctx) => {
    try {
      // A server whose startup (migrations, crash repair) has not finished serves nothing from the store:
      // only while it waits for an unavailable ClickHouse server does a request get this far.
      const state = serverState();
      if (state.startup && !state.ready) {
        throw new AppError('store_unavailable', 'the event store is unavailable (the tower is waiting for it); retry shortly', { retryAfter: 5 });
      }
      const principal = await identify(req);
      if (!can(principal, perm)) throw new AppError('forbidden', 'your role may not use this endpoint');
      if (req.method !== 'GET' && req.method !== 'HEAD') checkSameOrigin(req, principal);
      const params = ctx?.params ? await ctx.params : ({} as P);
      const url = new URL(req.url);
      const scope = scopeOf(principal);
      const requested = warehouseParams(url);
      const narrowed = narrow(scope, requested);
      if (narrowed.outside.length > 0) throw new AppError('forbidden', 'warehouse: outside your scope');
      const run = () => fn({ req, url, principal, scope, warehouses: { scope: narrowed.scope, requested }, params });
      // A read's answer depends only on its URL and the caller's scope (checked above), so identical
      // reads may share one computation (api.md, CT_READ_MAX_AGE_S).
      if (req.method === 'GET' && (perm === 'read' || perm === 'pipeline')) {
        return fromShared(await sharedRead(readKey(url, scope), async () => toShared(await run())));
      }
      const res = await run();
      if (perm === 'ingest' && res.ok) noteIngested();
      return res;
    } catch (err) {
      return errorResponse(err);
    }
  };
}

async function toShared(res: Response): Promise<SharedAnswer> {
  return { status: res.status, headers: [...res.headers.entries()], body: await res.text() };
}

const fromShared = (a: SharedAnswer): Response => new Response(a.body, { status: a.status, headers: a.headers });

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];
const REFUSERS = new WeakSet<object>();

/** For methods a route does not support: a JSON 405 instead of the framework's default (an empty body). */
function methodNotAllowed(allow: string): Handler<Record<string, string>> {
  const handler: Handler<Record<string, string>> = async () =>
    new Response(JSON.stringify({ error: { code: 'method_not_allowed', message: `use ${allow}` } }), {
      status: 405,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', allow },
    });
  REFUSERS.add(handler);
  return handler;
}

/**
 * JSON 405s for the methods a route does not serve; the route exports the ones it lacks:
 * `export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');` (HEAD and OPTIONS Next derives).
 */
export function otherMethods(...served: Method[]): Record<Method, Handler<Record<string, string>>> {
  const allow = [...served, ...(served.includes('GET') ? ['HEAD'] : [])].join(', ');
  return Object.fromEntries(METHODS.map((m) => [m, methodNotAllowed(allow)])) as Record<Method, Handler<Record<string, string>>>;
}

/** True for handlers made by methodNotAllowed/otherMethods (the route access test recognises them). */
export const refusesMethod = (handler: unknown): boolean => typeof handler === 'function' && REFUSERS.has(handler);

/**
 * Unknown paths under an API prefix: a JSON 404 for every method, like every other API error, instead of
 * the framework's HTML page. Nothing is served, so no identity is needed to learn that nothing is there.
 */
export function notFound(): Record<Method | 'OPTIONS', Handler<Record<string, string | string[]>>> {
  const handler: Handler<Record<string, string | string[]>> = async (req) => errorResponse(new AppError('not_found', `no API endpoint at ${new URL(req.url).pathname.slice(0, 200)}`));
  return Object.fromEntries([...METHODS, 'OPTIONS'].map((m) => [m, handler])) as Record<Method | 'OPTIONS', Handler<Record<string, string | string[]>>>;
}
