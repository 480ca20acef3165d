/** One typed error for everything the API can answer; mapped to HTTP in exactly one place (httpStatus). */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'overloaded'
  | 'store_unavailable'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  overloaded: 429,
  store_unavailable: 503,
  internal: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Seconds, for 429/503 answers. */
  readonly retryAfter?: number;
  constructor(code: ErrorCode, message: string, opts: { retryAfter?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    if (opts.retryAfter !== undefined) this.retryAfter = opts.retryAfter;
  }
  get status(): number {
    return STATUS[this.code];
  }
}

export function httpStatus(code: ErrorCode): number {
  return STATUS[code];
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
