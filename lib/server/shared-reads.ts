import { env } from '@/lib/config/env';

/**
 * Reads share work (api.md): identical requests — same endpoint, parameters and caller scope — that
 * arrive while one is being computed join it, and a finished answer may be reused for at most
 * CT_READ_MAX_AGE_S seconds, counted from when its computation STARTED. So every event acknowledged
 * that long before a read starts is in its answer, whatever the read joined.
 *
 * A triage action or a silence calls `invalidateReads()` before it answers: the generation is part of
 * every key, so no read that starts after that answer can join or reuse anything computed before it.
 * With CT_READ_MAX_AGE_S=0 nothing is shared at all (not even concurrent identical requests, which
 * could otherwise join a computation that started before an acknowledgement they must see).
 */
export interface SharedAnswer {
  status: number;
  headers: [string, string][];
  body: string;
}

interface Entry {
  startedAt: number;
  answer: Promise<SharedAnswer>;
  /** Bytes of a finished 200 answer; 0 while in flight or when it is not kept. */
  bytes: number;
}

interface State {
  generation: number;
  entries: Map<string, Entry>;
  bytes: number;
}

/** What finished answers may hold at once; the oldest go first. A KPI answer is a few KiB. */
const MAX_BYTES = 32 * 1024 * 1024;
const MAX_ENTRIES = 2_000;

// One cache per process even when route bundles each load a copy of this module.
const KEY = Symbol.for('sync-control-tower.shared-reads');
const g = globalThis as typeof globalThis & { [KEY]?: State };
const state = (): State => (g[KEY] ??= { generation: 0, entries: new Map(), bytes: 0 });

export function invalidateReads(): void {
  const s = state();
  s.generation++;
  s.entries.clear();
  s.bytes = 0;
}

/**
 * Ingest acknowledged new events: finished answers are no longer reused, so a read that starts after
 * an acknowledgement sees it unless it joins a computation still in flight (which the contract allows).
 */
export function noteIngested(): void {
  const s = state();
  for (const [key, e] of s.entries) if (e.bytes > 0) drop(s, key, e);
}

function drop(s: State, key: string, entry: Entry): void {
  if (s.entries.get(key) !== entry) return;
  s.entries.delete(key);
  s.bytes -= entry.bytes;
}

function evict(s: State, now: number, maxAgeMs: number): void {
  for (const [key, e] of s.entries) {
    const expired = e.bytes > 0 && now - e.startedAt > maxAgeMs;
    if (!expired && s.bytes <= MAX_BYTES && s.entries.size <= MAX_ENTRIES) break;
    // In-flight entries are never evicted for size: their joiners hold them anyway.
    if (expired || e.bytes > 0) drop(s, key, e);
  }
}

/**
 * The answer for `key`, computed by `compute` or shared with an identical read. Only 200 answers are
 * kept after they finish; an error is shared with the requests that joined it, then forgotten.
 */
export async function sharedRead(key: string, compute: () => Promise<SharedAnswer>): Promise<SharedAnswer> {
  const maxAgeMs = env().CT_READ_MAX_AGE_S * 1000;
  if (maxAgeMs <= 0) return compute();
  const s = state();
  const now = Date.now();
  const fullKey = `${s.generation}\u0000${key}`;
  const found = s.entries.get(fullKey);
  if (found && now - found.startedAt <= maxAgeMs) return found.answer;
  if (found) drop(s, fullKey, found);
  evict(s, now, maxAgeMs);
  const entry: Entry = { startedAt: now, answer: compute(), bytes: 0 };
  s.entries.set(fullKey, entry);
  entry.answer.then(
    (a) => {
      if (a.status !== 200 || s.entries.get(fullKey) !== entry) return drop(s, fullKey, entry);
      entry.bytes = a.body.length * 2 + 256;
      s.bytes += entry.bytes;
      evict(s, Date.now(), maxAgeMs);
    },
    () => drop(s, fullKey, entry),
  );
  return entry.answer;
}

/** The key of a read: path, parameters in a canonical order, and who may see what. */
export function readKey(url: URL, scope: { all: true } | { all: false; warehouses: readonly string[] }): string {
  const params = [...url.searchParams.entries()].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const who = scope.all ? '*' : JSON.stringify([...scope.warehouses].sort());
  return `${url.pathname}?${new URLSearchParams(params).toString()}#${who}`;
}
