import { afterEach } from 'vitest';
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
