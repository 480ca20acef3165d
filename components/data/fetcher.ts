/** The one way pages talk to the API: JSON in, JSON out, `error.message` surfaced, 401 → sign-in. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown };
}

function toLogin(): void {
  if (typeof window === 'undefined') return;
  if (window.location.pathname.startsWith('/login')) return;
  const back = window.location.pathname + window.location.search;
  window.location.assign(`/login?callbackUrl=${encodeURIComponent(back)}`);
}

async function handle<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (res.ok) return body as T;
  const err = (body as ErrorBody | null)?.error;
  const code = typeof err?.code === 'string' ? err.code : `http_${res.status}`;
  const message = typeof err?.message === 'string' ? err.message : `Request failed (${res.status} ${res.statusText})`;
  if (res.status === 401) toLogin();
  throw new ApiError(res.status, code, message);
}

export async function fetchJson<T>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached. Retrying…');
  }
  return handle<T>(res);
}

export async function postJson<T>(url: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body ?? {}),
    });
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached.');
  }
  return handle<T>(res);
}

export type QueryValue = string | number | null | undefined | readonly string[];

/** `/api/v1/x` + params; empty values are left out so the API's defaults apply; arrays repeat the key. */
export function apiUrl(path: string, params: Record<string, QueryValue> = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') continue;
    if (typeof v === 'string' || typeof v === 'number') qs.append(k, String(v));
    else for (const item of v) qs.append(k, item);
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

/** The API caps the unposted and drift-SKU lists at 1000 rows (default 100); ask for the most it gives. */
export const LIST_LIMIT = 1000;
