import type { Attributes, EventType, Severity, SyncStatus, Workflow } from '@/lib/events/constants';
import {
  ACTORS,
  FORGOTTEN,
  MIN,
  MTTR_MEDIAN,
  OWNERS,
  RESOLUTIONS,
  SEC,
  SERVICE_DESK,
  SEVERITY_WEIGHTS,
  iso,
} from './model';
import { type Rng, clamp } from './random';

export type DemoEvent = Record<string, unknown>;

/** What every event of one transaction shares. */
export interface Ctx {
  readonly wh: string;
  readonly corr: string;
  readonly workflow: Workflow;
  readonly doc?: string;
}

export interface Outage {
  readonly warehouse: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** One interface of one warehouse failing and slow for a while: what a lag hint should name. */
export interface Incident {
  readonly warehouse: string;
  readonly iface: InterfaceName;
  readonly startMs: number;
  readonly endMs: number;
}

interface InterfaceSpec {
  readonly lag: number; // median delivery lag, ms
  readonly bytes: number; // median payload size
}

export const INTERFACES = {
  order_api: { lag: 25 * SEC, bytes: 4200 },
  edi_855: { lag: 70 * SEC, bytes: 2100 },
  pick_events: { lag: 40 * SEC, bytes: 1300 },
  shipment_confirm: { lag: 45 * SEC, bytes: 2600 },
  shipment_api: { lag: 30 * SEC, bytes: 3100 },
  edi_810: { lag: 75 * SEC, bytes: 3800 },
  edi_856: { lag: 90 * SEC, bytes: 5200 },
  payment_api: { lag: 55 * SEC, bytes: 900 },
  receipt_api: { lag: 40 * SEC, bytes: 1800 },
  returns_api: { lag: 50 * SEC, bytes: 1500 },
  credit_api: { lag: 35 * SEC, bytes: 1100 },
  transfer_api: { lag: 40 * SEC, bytes: 1400 },
  inventory_adjustment_api: { lag: 20 * SEC, bytes: 700 },
} as const satisfies Record<string, InterfaceSpec>;
export type InterfaceName = keyof typeof INTERFACES;

interface Odds {
  readonly dead: number;
  readonly failed: number;
  readonly retried: number;
}
const NORMAL: Odds = { dead: 0.002, failed: 0.012, retried: 0.035 };
const OUTAGE: Odds = { dead: 0.04, failed: 0.16, retried: 0.25 };
const INCIDENT: Odds = { dead: 0.06, failed: 0.3, retried: 0.3 };
// Normal lag stays well under 20 min even after retries, so the outage is the only thing above it.
const MAX_NORMAL_LAG = 15 * MIN;

const TRANSIENT = ['HTTP 503 from {t}', 'HTTP 504 gateway timeout', '{t} lock wait timeout', 'connection reset by peer'];
const PERMANENT = [
  'schema validation failed: ship_to.postal_code',
  'unknown item master SKU in {t}',
  'HTTP 422 from {t}: duplicate document number',
  'HTTP 500 from {t}',
];
const INCIDENT_ERRORS = ['HTTP 504 from {t}: {i} endpoint timed out', '{t} {i} queue full, message refused'];
const OUTAGE_ERRORS = ['connection refused: {w} WMS gateway', 'timeout after 60000 ms waiting for {w}', 'HTTP 502 from {w} edge proxy'];

interface ExceptionOptions {
  readonly severity?: Severity;
  /** Keeps it open at endMs regardless of the dice: the scripted critical ones. */
  readonly keepOpen?: boolean;
}

/**
 * Builds envelopes, numbers them (`demo-<n>`) and drops anything the world has not seen yet:
 * nothing is ever stamped after endMs, which is how recent orders lose their later stages.
 */
export class Emitter {
  private buffer: DemoEvent[] = [];
  private seq = 0;
  private excSeq = 10000;
  private outageCriticalDone = false;

  constructor(
    readonly rng: Rng,
    readonly endMs: number,
    readonly outage: Outage | null,
    readonly incident: Incident | null = null,
  ) {}

  /** Hands over what the last transaction produced; the generator yields it and forgets it. */
  drain(): DemoEvent[] {
    const out = this.buffer;
    this.buffer = [];
    return out;
  }

  emit(type: EventType, ctx: Ctx, at: number, source: string, attrs: Attributes, extra: { target?: string; observedAt?: number; doc?: string } = {}): boolean {
    if (at > this.endMs || (extra.observedAt ?? at) > this.endMs) return false;
    const ev: DemoEvent = { event_id: `demo-${this.seq++}`, type, occurred_at: iso(at) };
    if (extra.observedAt !== undefined) ev.observed_at = iso(extra.observedAt);
    ev.source_system = source;
    if (extra.target !== undefined) ev.target_system = extra.target;
    ev.warehouse_id = ctx.wh;
    ev.correlation_id = ctx.corr;
    ev.workflow = ctx.workflow;
    const doc = extra.doc ?? ctx.doc;
    if (doc !== undefined) ev.document_ref = doc;
    ev.attributes = attrs;
    this.buffer.push(ev);
    return true;
  }

  private inOutage(wh: string, at: number): boolean {
    const o = this.outage;
    return o !== null && o.warehouse === wh && at >= o.startMs && at < o.endMs;
  }

  private inIncident(wh: string, iface: InterfaceName, at: number): boolean {
    const i = this.incident;
    return i !== null && i.warehouse === wh && i.iface === iface && at >= i.startMs && at < i.endMs;
  }

  private lag(iface: InterfaceName, outage: boolean, incident = false): number {
    // Slow but under the 15-minute normal ceiling: the DC-wide outage stays the only lag spike.
    if (incident) return clamp(this.rng.logNormal(9 * MIN, 0.3), 6 * MIN, 14 * MIN);
    if (outage) return clamp(this.rng.logNormal(40 * MIN, 0.45), 20.5 * MIN, 90 * MIN);
    return clamp(this.rng.logNormal(INTERFACES[iface].lag, 0.9), 200, MAX_NORMAL_LAG);
  }

  private error(list: readonly string[], ctx: Ctx, target: string, iface = ''): string {
    return this.rng.pick(list).replace('{t}', target).replace('{w}', ctx.wh).replace('{i}', iface);
  }

  /** One integration hop for a business step: its delivery, or the failures and retries on the way. */
  hop(ctx: Ctx, at: number, source: string, target: string, iface: InterfaceName, doc?: string): SyncStatus {
    const rng = this.rng;
    const outage = this.inOutage(ctx.wh, at);
    const incident = !outage && this.inIncident(ctx.wh, iface, at);
    const odds = outage ? OUTAGE : incident ? INCIDENT : NORMAL;
    const broken = (normal: readonly string[]) => (outage ? OUTAGE_ERRORS : incident ? INCIDENT_ERRORS : normal);
    const base = { interface: iface, payload_bytes: Math.round(rng.logNormal(INTERFACES[iface].bytes, 0.5)) };
    const send = (status: SyncStatus, attempt: number, observedAt: number, error?: string) => {
      const attrs: Attributes = { status, attempt, ...base };
      if (error !== undefined) attrs.error = error;
      return this.emit('sync.message', ctx, at, source, attrs, { target, observedAt, doc });
    };
    // Pinned to an order so the open critical lands in a finance workflow and blocks DC-DAL's close.
    const scriptedCritical = outage && !this.outageCriticalDone && ctx.workflow === 'order_to_cash';
    const u = rng.next();

    if (scriptedCritical || u < odds.dead) {
      const seen = at + this.lag(iface, outage, incident) + rng.range(2 * MIN, 8 * MIN);
      const why = `max retries exceeded: ${this.error(broken(PERMANENT), ctx, target, iface)}`;
      if (send('dead_lettered', 3, Math.min(seen, at + 89 * MIN), why)) {
        if (scriptedCritical) this.outageCriticalDone = true;
        const severity: Severity = scriptedCritical ? 'critical' : rng.weighted({ high: 7, critical: 3 });
        this.exception(ctx, Math.min(seen, at + 89 * MIN) + rng.range(SEC, MIN), 'MIDDLEWARE', 'sync_failure', `${iface} ${source}→${target} dead-lettered`, {
          severity,
          keepOpen: scriptedCritical,
        });
      }
      return 'dead_lettered';
    }
    if (u < odds.dead + odds.failed) {
      const seen = at + (outage || incident ? this.lag(iface, outage, incident) : rng.range(1 * SEC, 90 * SEC));
      if (send('failed', rng.int(1, 3), seen, this.error(broken(PERMANENT), ctx, target, iface)) && rng.chance(0.6)) {
        const severity = rng.weighted<Severity>({ low: 25, medium: 50, high: 20, critical: 5 });
        this.exception(ctx, seen + rng.range(SEC, 2 * MIN), 'MIDDLEWARE', 'sync_failure', `${iface} ${source}→${target} failed`, { severity });
      }
      return 'failed';
    }
    let attempt = 1;
    let backoff = 0;
    if (u < odds.dead + odds.failed + odds.retried) {
      const tries = rng.chance(0.3) ? 2 : 1;
      for (; attempt <= tries; attempt++) {
        backoff += rng.range(5 * SEC, 2 * MIN);
        send('retried', attempt, at + backoff, this.error(broken(TRANSIENT), ctx, target, iface));
      }
    }
    // A little clock skew: the target stamped receipt slightly before the source stamped sending.
    const skew = !outage && !incident && attempt === 1 && rng.chance(0.002);
    const lag = skew ? -rng.range(100, 2500) : this.lag(iface, outage, incident) + backoff;
    send('delivered', attempt, at + (outage ? Math.min(lag, 90 * MIN) : Math.min(lag, MAX_NORMAL_LAG + 2 * MIN)));
    return 'delivered';
  }

  /** Opens an exception and plays out its life: acknowledged, assigned, resolved, or left open. */
  exception(ctx: Ctx, at: number, source: string, category: string, summary: string, opts: ExceptionOptions = {}): void {
    const rng = this.rng;
    const exception_id = `EXC-${this.excSeq++}`;
    const severity = opts.severity ?? rng.weighted(SEVERITY_WEIGHTS);
    if (!this.emit('exception.opened', ctx, at, source, { exception_id, category, severity, summary })) return;
    const actor = rng.pick(ACTORS);
    const urgent = severity === 'critical' || severity === 'high';
    let t = at;
    if (rng.chance(urgent || opts.keepOpen ? 0.92 : 0.7)) {
      t += rng.logNormal(urgent ? 12 * MIN : 50 * MIN, 0.8);
      this.emit('exception.acknowledged', ctx, t, SERVICE_DESK, { exception_id, actor });
      if (rng.chance(0.75)) {
        t += rng.logNormal(20 * MIN, 1);
        this.emit('exception.assigned', ctx, t, SERVICE_DESK, { exception_id, owner: rng.pick(OWNERS), actor });
      }
    }
    if (opts.keepOpen || rng.chance(FORGOTTEN[severity])) return;
    const resolvedAt = Math.max(t + rng.range(5 * MIN, 40 * MIN), at + rng.logNormal(MTTR_MEDIAN[severity], 0.9));
    const resolution = rng.pick(RESOLUTIONS[category] ?? ['resolved']);
    this.emit('exception.resolved', ctx, resolvedAt, SERVICE_DESK, { exception_id, resolution, actor });
  }
}
