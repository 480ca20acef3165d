/**
 * Failed sign-ins per account: 10 within 15 minutes and further attempts are refused until the oldest
 * failure leaves the window. Kept in memory per server process (one process owns the embedded store,
 * so there is one process to count in); a restart forgets the counts. Keyed by the normalised email
 * whether or not the account exists, so the throttle does not reveal which accounts are real.
 */
export const MAX_FAILURES = 10;
export const WINDOW_MS = 15 * 60_000;
/** Spraying random emails must not grow memory without bound. */
const MAX_KEYS = 10_000;

type Failures = Map<string, number[]>;
const KEY = Symbol.for('control-tower.auth.throttle');
const holder = globalThis as typeof globalThis & { [KEY]?: Failures };

/** On globalThis so every bundle that imports this module in one process (route handler, proxy) shares it. */
function failures(): Failures {
  holder[KEY] ??= new Map();
  return holder[KEY];
}

export const accountKey = (email: string): string => email.trim().toLowerCase();

function recent(key: string, now: number): number[] {
  const list = (failures().get(key) ?? []).filter((t) => t > now - WINDOW_MS);
  if (list.length === 0) failures().delete(key);
  else failures().set(key, list);
  return list;
}

export interface ThrottleState {
  limited: boolean;
  /** Seconds until one more attempt is allowed (0 when not limited). */
  retryAfterS: number;
}

export function throttleState(email: string, now = Date.now()): ThrottleState {
  const list = recent(accountKey(email), now);
  if (list.length < MAX_FAILURES) return { limited: false, retryAfterS: 0 };
  const oldest = list[list.length - MAX_FAILURES]!;
  return { limited: true, retryAfterS: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)) };
}

export function recordFailure(email: string, now = Date.now()): void {
  const key = accountKey(email);
  const list = recent(key, now);
  list.push(now);
  // Only the newest MAX_FAILURES matter for the decision.
  failures().set(key, list.slice(-MAX_FAILURES));
  if (failures().size > MAX_KEYS) prune(now);
}

export function clearFailures(email: string): void {
  failures().delete(accountKey(email));
}

function prune(now: number): void {
  const map = failures();
  for (const [key, list] of map) if (!list.some((t) => t > now - WINDOW_MS)) map.delete(key);
  // Still full: forget the accounts whose last failure is oldest.
  if (map.size <= MAX_KEYS) return;
  const byLast = [...map.entries()].sort((a, b) => (a[1].at(-1) ?? 0) - (b[1].at(-1) ?? 0));
  for (const [key] of byLast.slice(0, map.size - MAX_KEYS)) map.delete(key);
}
