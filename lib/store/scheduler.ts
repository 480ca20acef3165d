import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';

/**
 * Which statements run first when the embedded engine is busy.
 * - `write`: the ingest path (dedup lookup, inserts, repairs, migrations): acknowledgements never queue
 *   behind dashboards.
 * - `interactive`: dashboard reads (KPIs); the default for `query()`.
 * - `bulk`: slow or background work (search, drill-down scans, wide lists, alert evaluation, rollup
 *   maintenance): it runs when nothing more urgent is queued.
 */
export type Lane = 'write' | 'interactive' | 'bulk';
const RANK: Record<Lane, number> = { write: 0, interactive: 1, bulk: 2 };

/**
 * What a statement holds while it runs. chDB runs one statement at a time per session (connection),
 * and every statement with bound parameters one at a time across the whole process (measured: a
 * bound 4 ms query waits for a bound 0.5 s query on another session; an unbound one, or an insert,
 * does not). So a statement holds its session, and the process-wide binder when it has parameters.
 */
export interface Claim {
  lane: Lane;
  /** One string per engine session ('read', 'write', …): statements of one session never overlap. */
  session: string;
  bound: boolean;
}

interface Waiting {
  claim: Claim;
  seq: number;
  since: number;
  start: () => void;
}

const BINDER = '\0binder';
const needs = (c: Claim): string[] => (c.bound ? [c.session, BINDER] : [c.session]);

export interface SchedulerOptions {
  /** A statement waiting this long moves up one lane, and one more per further period: bulk work still completes under sustained load. 0: never. */
  promoteAfterMs: number;
}

/**
 * Priority scheduling of engine statements. A queued statement of a higher lane starts before any
 * queued lower one that needs the same session or the binder; within a lane, first come first
 * served; a running statement is never preempted. A statement needing only free resources that no
 * more urgent waiting statement needs starts at once (an unbound insert on the write session runs
 * beside a long read).
 */
export class Scheduler {
  promoteAfterMs: number;
  private readonly waiting: Waiting[] = [];
  private readonly busy = new Set<string>();
  private seq = 0;

  constructor(opts: SchedulerOptions) {
    this.promoteAfterMs = opts.promoteAfterMs;
  }

  run<T>(claim: Claim, fn: () => Promise<T>): Promise<T> {
    // The statement runs in its caller's async context (spans, lanes), whoever's completion starts it.
    const inCaller = AsyncResource.bind(fn);
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        Promise.resolve()
          .then(inCaller)
          .then(resolve, reject)
          .finally(() => {
            for (const r of needs(claim)) this.busy.delete(r);
            this.pump();
          });
      };
      this.waiting.push({ claim, seq: this.seq++, since: performance.now(), start });
      this.pump();
    });
  }

  /** Statements queued and running now, for tests and diagnostics. */
  get depth(): { waiting: number; running: number } {
    return { waiting: this.waiting.length, running: [...this.busy].filter((r) => r !== BINDER).length };
  }

  private rank(w: Waiting, now: number): number {
    const promoted = this.promoteAfterMs > 0 ? Math.floor((now - w.since) / this.promoteAfterMs) : 0;
    // Promotion keeps bulk work from starving behind dashboards, but never lifts it past ingest: a pile of
    // slow reads promoted into the write lane held acknowledgements for seconds under mixed load.
    const floor = w.claim.lane === 'write' ? RANK.write : RANK.interactive;
    return Math.max(floor, RANK[w.claim.lane] - promoted);
  }

  private pump(): void {
    const now = performance.now();
    const order = [...this.waiting].sort((a, b) => this.rank(a, now) - this.rank(b, now) || a.seq - b.seq);
    // Resources a more urgent waiting statement needs: a later one may not take them first.
    const reserved = new Set<string>();
    for (const w of order) {
      const want = needs(w.claim);
      if (want.every((r) => !this.busy.has(r) && !reserved.has(r))) {
        for (const r of want) this.busy.add(r);
        this.waiting.splice(this.waiting.indexOf(w), 1);
        w.start();
      } else {
        for (const r of want) reserved.add(r);
      }
    }
  }
}

// Shared through globalThis: route bundles may each load a copy of this module, but there is one engine.
const KEY = Symbol.for('sync-control-tower.store-scheduler');
const LANE_KEY = Symbol.for('sync-control-tower.store-lane');
type G = typeof globalThis & { [KEY]?: Scheduler; [LANE_KEY]?: AsyncLocalStorage<Lane> };
const g = globalThis as G;

/** The process's one scheduler for the embedded engine. */
export function storeScheduler(): Scheduler {
  return (g[KEY] ??= new Scheduler({ promoteAfterMs: 2_000 }));
}

const laneStore = (g[LANE_KEY] ??= new AsyncLocalStorage<Lane>());

/**
 * Runs `fn` with `lane` as the default for every statement it issues, however deep (alert evaluation
 * calls the KPI modules' own functions). An explicit `lane` option still wins.
 */
export function withLane<T>(lane: Lane, fn: () => Promise<T>): Promise<T> {
  return laneStore.run(lane, fn);
}

export function currentLane(): Lane | undefined {
  return laneStore.getStore();
}
