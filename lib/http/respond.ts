import { AppError, isAppError } from '@/lib/errors';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** The one place an error becomes an HTTP answer. Unknown errors are logged and never echoed. */
export function errorResponse(err: unknown): Response {
  const e: AppError = isAppError(err) ? err : new AppError('internal', 'internal error', { cause: err });
  if (e.code === 'internal' || e.code === 'store_unavailable') {
    const cause = e.cause instanceof Error ? `${e.cause.name}: ${e.cause.message}` : String(e.cause ?? '');
    console.error(`[api] ${e.code}: ${e.message}${cause ? ` (${cause.slice(0, 500)})` : ''}`);
  }
  const headers: Record<string, string> = {};
  if (e.retryAfter !== undefined) headers['retry-after'] = String(e.retryAfter);
  else if (e.code === 'overloaded' || e.code === 'rate_limited' || e.code === 'store_unavailable') headers['retry-after'] = '5';
  // The rest of a stalled body will not be read: the connection cannot carry another request.
  if (e.code === 'request_timeout') headers.connection = 'close';
  const message = e.code === 'internal' ? 'internal error' : e.message;
  return json({ error: { code: e.code, message } }, e.status, headers);
}
