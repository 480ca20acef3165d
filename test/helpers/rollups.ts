import { afterEach, vi } from 'vitest';
import { validateEvent } from '@/lib/events';
import { toEventRow } from '@/lib/events/row';
import { getClient, insertRows } from '@/lib/store';
import { useTestStore } from './store';

/**
 * The same read twice: as served (rollups where the table decider picks them) and with CT_FORCE_RAW=1.
 * A read that fails must fail both ways (a 404 is a 404 from either table); the errors are then returned
 * as the values, so the caller's equality check compares them too.
 */
export async function bothWays<T>(read: () => Promise<T>): Promise<{ rollup: T; raw: T }> {
  const settle = () => read().then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, v: e as T }));
  delete process.env.CT_FORCE_RAW;
  const rollup = await settle();
  process.env.CT_FORCE_RAW = '1';
  let raw: Awaited<ReturnType<typeof settle>>;
  try {
    raw = await settle();
  } finally {
    delete process.env.CT_FORCE_RAW;
  }
  if (rollup.ok !== raw.ok) {
    throw new Error(`rollup ${rollup.ok ? 'answered' : `failed (${String(rollup.v)})`} but raw ${raw.ok ? 'answered' : `failed (${String(raw.v)})`}`);
  }
  return { rollup: rollup.v, raw: raw.v };
}

export const H = 3_600_000;
/** Fixed data time, far from "now", so every hour of a fixture is settled for the refreshers. */
export const T0 = Date.parse('2026-09-01T00:00:00Z');
export const iso = (ms: number): string => new Date(ms).toISOString();
/** Warehouse ids a rollup key must carry exactly: quotes and non-ASCII included. */
export const WH = ['DC-1', `DC-"2"`, 'Lager Köln'] as const;

/** A fresh store for a rollup test file; every test starts on the default (rollup) path. */
export function useRollupTestStore(): void {
  useTestStore();
  afterEach(() => {
    delete process.env.CT_FORCE_RAW;
  });
}

/**
 * What a kill -9 right after a batch's `events` insert leaves: its rows (all, or the first `keep`: a
 * half-written insert) in `events`, none of the pipeline's own counters, and the batch never acknowledged.
 */
export async function writeEventsOnly(events: readonly Record<string, unknown>[], nowMs: number, keep = events.length): Promise<void> {
  const rows = events.slice(0, keep).map((e) => {
    const r = validateEvent(e, nowMs);
    if (!r.ok) throw new Error(r.reason);
    return toEventRow(r.event, nowMs);
  });
  await insertRows('events', rows);
}

/**
 * Runs a read and returns its value with the text of every statement it sent on the read session, so a
 * test can tell which tables answered it (and that a "rollup" answer did not come from raw events alone).
 */
export async function withStatements<T>(read: () => Promise<T>): Promise<{ value: T; statements: string[] }> {
  const spy = vi.spyOn(getClient('read'), 'query');
  try {
    const value = await read();
    return { value, statements: spy.mock.calls.map((c) => c[0].query) };
  } finally {
    spy.mockRestore();
  }
}
