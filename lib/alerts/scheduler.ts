import { env } from '@/lib/config/env';
import { deliveriesIdle } from './deliver';
import { evaluate, type EngineMemory, type EvalSummary } from './engine';
import { clearAlertConfig } from './rules';

/**
 * The evaluation loop inside the server process: one per process (a globalThis singleton, so route
 * bundles and instrumentation share it), never two evaluations at once.
 */
interface Holder {
  timer: NodeJS.Timeout | null;
  /** The evaluation in progress, if any; every evaluation waits for the one before it. */
  tail: Promise<unknown>;
  busy: boolean;
  memory: EngineMemory;
}

const KEY = Symbol.for('sync-control-tower.alert-scheduler');
const g = globalThis as typeof globalThis & { [KEY]?: Holder };
const holder = (): Holder => (g[KEY] ??= { timer: null, tail: Promise.resolve(), busy: false, memory: { recovered: false } });

/** Evaluates every rule at `now` (epoch ms), after any evaluation already running. */
export function evaluateOnce(now: number = Date.now()): Promise<EvalSummary> {
  const h = holder();
  const run = h.tail.then(async () => {
    h.busy = true;
    try {
      return await evaluate(now, h.memory);
    } finally {
      h.busy = false;
    }
  });
  // The caller of `run` gets its error; the tail only orders evaluations, so it must not reject.
  h.tail = run.catch(() => null);
  return run;
}

function tick(): void {
  const h = holder();
  // A slow cycle (a big store, a slow query) skips ticks instead of piling evaluations up.
  if (h.busy) return;
  evaluateOnce().catch((err: unknown) => {
    console.error(`[alerts] evaluation failed: ${err instanceof Error ? err.message : String(err)}`);
  });
}

/** Starts evaluating every `CT_ALERT_INTERVAL_S` seconds (default 60); the first cycle runs at once. */
export function startAlertScheduler(): void {
  const h = holder();
  if (h.timer) return;
  const intervalMs = env().CT_ALERT_INTERVAL_S * 1000;
  h.timer = setInterval(tick, intervalMs);
  h.timer.unref();
  setImmediate(tick);
}

export function stopAlertScheduler(): void {
  const h = holder();
  if (h.timer) clearInterval(h.timer);
  h.timer = null;
}

/**
 * Forgets everything held in memory, as a process restart would (tests): the next evaluation reads the
 * persisted state and replays the outbox. Waits for running work first so nothing is cut in half.
 */
export async function resetAlertEngine(): Promise<void> {
  const h = holder();
  stopAlertScheduler();
  await h.tail;
  await deliveriesIdle();
  h.memory = { recovered: false };
  clearAlertConfig();
}

export { deliveriesIdle };
