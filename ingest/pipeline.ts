import crypto from 'node:crypto';
import { env } from '@/lib/config/env';
import { validateEvent, type IngestOrigin, type IngestPolicy } from '@/lib/events';
import { EVENT_COLUMNS, eventRowLine, toEventRow } from '@/lib/events/row';
import { chTime, insertJsonLines, type InsertTable } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { lookupBehind, Reservation, setLookupBehind, withWriteLock } from './lock';
import { Breather, MAX_RAW_KEPT, type ParsedLine } from './parse';
import { repairLookups } from './recovery';
import { storedIds } from './seen';
import { keptRejections, summarize, type Accepted, type Drop, type IngestResult } from './types';

/**
 * parse → validate → normalize → dedup → buffer → write. Parsing happens before (it depends on the
 * transport); each later step is named, traced, and records a typed drop for what it removes.
 * The per-line steps yield to the event loop every few milliseconds (Breather), so a large batch
 * never stalls the dashboard's reads or another client's acknowledgement for long.
 */
interface Batch {
  batchId: string;
  nowMs: number;
  policy: IngestPolicy;
  /** CT_MAX_REJECTED_PER_BATCH: rejected lines kept and listed; the rest are only counted. */
  maxRejected: number;
  lines: ParsedLine[];
  valid: { line: number; raw: string; event: import('@/lib/events').CanonicalEvent }[];
  accepted: Accepted[];
  chunks: Accepted[][];
  drops: Drop[];
}

type StepName = 'validate' | 'normalize' | 'dedup' | 'buffer' | 'write';
interface Step {
  name: StepName;
  run: (b: Batch) => void | Promise<void>;
}

/**
 * Rows per `events` insert: one part (and one part per materialized view) each, so bigger is cheaper for
 * the engine; the encoded text of one chunk (~350 bytes a row) is what the write step holds at a time.
 */
const INSERT_CHUNK_ROWS = 50_000;

const validate: Step = {
  name: 'validate',
  async run(b) {
    const breathe = new Breather();
    for (const l of b.lines) {
      await breathe.step();
      if ('failure' in l) {
        b.drops.push({ line: l.line, event_id: null, kind: l.failure, reason: l.reason, raw: l.raw });
        continue;
      }
      const r = validateEvent(l.value, b.nowMs, b.policy);
      if (r.ok) b.valid.push({ line: l.line, raw: l.raw, event: r.event });
      else {
        const kind = l.value !== null && typeof l.value === 'object' && !Array.isArray(l.value) ? 'invalid_event' : 'not_an_object';
        b.drops.push({ line: l.line, event_id: r.event_id, kind, reason: r.reason, raw: l.raw });
      }
    }
    b.lines = [];
  },
};

const normalize: Step = {
  name: 'normalize',
  async run(b) {
    const seen = new Set<string>();
    const breathe = new Breather();
    for (const v of b.valid) {
      await breathe.step();
      if (seen.has(v.event.event_id)) {
        b.drops.push({ line: v.line, event_id: v.event.event_id, kind: 'duplicate_in_batch', reason: 'duplicate event_id in batch', raw: v.raw, event: v.event });
        continue;
      }
      seen.add(v.event.event_id);
      b.accepted.push({ line: v.line, event: v.event, row: toEventRow(v.event, b.nowMs) });
    }
    b.valid = [];
  },
};

const dedup: Step = {
  name: 'dedup',
  async run(b) {
    // After a failed write (disk full, store gone mid-batch) `events` may hold rows that the lookup
    // lacks, exactly as after a crash: repair first, or a resent batch would be stored twice. If the
    // repair fails too, this batch fails (503) and the next one tries again.
    if (lookupBehind()) {
      await repairLookups(b.nowMs);
      setLookupBehind(false);
    }
    const stored = await storedIds(b.accepted.map((a) => a.event.event_id));
    if (stored.size === 0) return;
    const keep: Accepted[] = [];
    for (const a of b.accepted) {
      if (stored.has(a.event.event_id)) {
        b.drops.push({ line: a.line, event_id: a.event.event_id, kind: 'duplicate_stored', reason: 'event_id already stored', raw: '', event: a.event });
      } else keep.push(a);
    }
    b.accepted = keep;
  },
};

const buffer: Step = {
  name: 'buffer',
  run(b) {
    for (let i = 0; i < b.accepted.length; i += INSERT_CHUNK_ROWS) b.chunks.push(b.accepted.slice(i, i + INSERT_CHUNK_ROWS));
  },
};

function statsRows(b: Batch) {
  const key = (s: string, t: string) => `${s}\u0000${t}`;
  const counts = new Map<string, { source_system: string; type: string; accepted: number; duplicates: number }>();
  const bump = (s: string, t: string, field: 'accepted' | 'duplicates') => {
    const k = key(s, t);
    const c = counts.get(k) ?? { source_system: s, type: t, accepted: 0, duplicates: 0 };
    c[field]++;
    counts.set(k, c);
  };
  for (const a of b.accepted) bump(a.event.source_system, a.event.type, 'accepted');
  for (const d of b.drops) if (d.event && (d.kind === 'duplicate_in_batch' || d.kind === 'duplicate_stored')) bump(d.event.source_system, d.event.type, 'duplicates');
  return [...counts.values()].map((c) => ({ ts: chTime(b.nowMs), ...c }));
}

/**
 * The accepted events' delays for pipeline_hourly (0008_pipeline_rollup.sql): per warehouse × source × type,
 * the distinct occurred_at stored in `events` with their counts; the view buckets them in SQL with the same
 * expressions as the raw read path. Every accepted row of a batch has the batch's ingested_at.
 */
function delayRows(b: Batch) {
  type Group = { ingested_at: string; warehouse_id: string; source_system: string; type: string; at: Map<string, number> };
  const groups = new Map<string, Group>();
  for (const { row } of b.accepted) {
    const k = `${row.warehouse_id}\u0000${row.source_system}\u0000${row.type}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ingested_at: row.ingested_at, warehouse_id: row.warehouse_id, source_system: row.source_system, type: row.type, at: new Map() }));
    g.at.set(row.occurred_at, (g.at.get(row.occurred_at) ?? 0) + 1);
  }
  return [...groups.values()].map(({ at, ...g }) => ({ ...g, occurred: [...at.keys()], counts: [...at.values()] }));
}

function rejectedRows(b: Batch) {
  return keptRejections(b.drops, b.maxRejected).kept.map((d) => {
    const probe = sniff(d.raw);
    return {
      ingested_at: chTime(b.nowMs),
      batch_id: b.batchId,
      line: d.line,
      event_id: d.event_id,
      source_system: probe.source_system,
      type: probe.type,
      reason_key: d.kind === 'invalid_event' ? (d.reason.split(':')[0] ?? 'event').slice(0, 64) : d.kind,
      reason: d.reason,
      raw: d.raw.length > MAX_RAW_KEPT ? d.raw.slice(0, MAX_RAW_KEPT) : d.raw,
      raw_truncated: d.raw.length > MAX_RAW_KEPT || d.kind === 'line_too_long',
    };
  });
}

/** Best effort, for pipeline health: which feed sent the bad line. */
function sniff(raw: string): { source_system: string; type: string } {
  const pick = (v: unknown) => (typeof v === 'string' ? v.slice(0, 64) : '');
  if (raw.length > MAX_RAW_KEPT) return { source_system: '', type: '' };
  try {
    const o = JSON.parse(raw) as Record<string, unknown> | null;
    return o && typeof o === 'object' ? { source_system: pick(o.source_system), type: pick(o.type) } : { source_system: '', type: '' };
  } catch {
    return { source_system: '', type: '' };
  }
}

/** JSONCompactEachRow text of a chunk's rows, for the engine's own parser. */
function encodeRows(chunk: readonly Accepted[]): Buffer {
  let text = '';
  for (const a of chunk) text += eventRowLine(a.row) + '\n';
  return Buffer.from(text);
}

/** The batch's small side tables (counters, rejects, delays): a few rows each, JSONEachRow. */
const insertObjects = (table: InsertTable, rows: readonly object[]) =>
  insertJsonLines(table, Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n')));

const write: Step = {
  name: 'write',
  async run(b) {
    // Events first: a 2xx is sent only after every chunk is in the store.
    // The engine stores chunk k while this thread encodes chunk k+1.
    try {
      let next = b.chunks.length > 0 ? encodeRows(b.chunks[0]!) : null;
      for (let i = 0; next; i++) {
        const storing = insertJsonLines('events', next, { format: 'JSONCompactEachRow', columns: EVENT_COLUMNS });
        next = i + 1 < b.chunks.length ? encodeRows(b.chunks[i + 1]!) : null;
        await storing;
      }
    } catch (err) {
      setLookupBehind(true);
      throw err;
    }
    await insertObjects('rejected_events', rejectedRows(b));
    await insertObjects('ingest_stats', statsRows(b));
    // Last: rows of an hour count as complete only once they add up to what `events` holds for it.
    await insertObjects('pipeline_delay_input', delayRows(b));
  },
};

const BEFORE_LOCK: Step[] = [validate, normalize];
const UNDER_LOCK: Step[] = [dedup, buffer, write];

async function runSteps(steps: Step[], b: Batch) {
  for (const s of steps) {
    await withSpan(`ingest.${s.name}`, { 'ingest.lines': b.accepted.length + b.valid.length + b.lines.length }, async () => s.run(b));
  }
}

/** What a batch weighs against the ingest memory budget: its text, as sent. */
function weight(lines: readonly ParsedLine[]): number {
  let n = 0;
  for (const l of lines) n += l.raw.length + 64;
  return n;
}

export interface IngestOptions {
  /**
   * `triage` only from lib/triage/actions.ts: it lets the batch speak as the tower (TOWER_SOURCE) and
   * skips the warehouse allow-list. Every transport (HTTP, OTLP, CLI) and the demo seed leave it `feed`.
   */
  origin?: IngestOrigin;
}

function policyFor(origin: IngestOrigin): IngestPolicy {
  const allowed = origin === 'feed' ? env().CT_WAREHOUSES : undefined;
  return { origin, warehouses: allowed ? new Set(allowed) : null };
}

/**
 * A batch validated and normalized outside the write lock, holding its share of the memory budget until it
 * is committed or discarded. Preparing the next batch while the engine stores this one is how the CLI keeps
 * both the engine and this thread busy.
 */
export interface PreparedBatch {
  /** dedup → buffer → write under the write lock; resolves once accepted events are stored. */
  commit(): Promise<IngestResult>;
  /** Gives up the batch without storing anything. */
  discard(): void;
}

/** Over the memory budget this throws `overloaded` (429) having stored nothing. */
export async function prepareLines(lines: ParsedLine[], nowMs = Date.now(), opts: IngestOptions = {}): Promise<PreparedBatch> {
  const policy = policyFor(opts.origin ?? 'feed');
  const maxRejected = env().CT_MAX_REJECTED_PER_BATCH;
  const reservation = new Reservation();
  reservation.grow(Math.max(1, weight(lines)));
  const b: Batch = { batchId: crypto.randomUUID(), nowMs, policy, maxRejected, lines, valid: [], accepted: [], chunks: [], drops: [] };
  try {
    await runSteps(BEFORE_LOCK, b);
  } catch (err) {
    reservation.release();
    throw err;
  }
  return {
    async commit() {
      try {
        await withWriteLock(b.accepted.length, () => runSteps(UNDER_LOCK, b));
        return summarize(b.accepted.length, b.drops, maxRejected);
      } finally {
        reservation.release();
      }
    },
    discard: () => reservation.release(),
  };
}

/**
 * Runs one batch of parsed lines through the pipeline. Resolves only once accepted events are stored.
 * Over the memory budget or the write queue's bound it throws `overloaded` (429) having stored nothing.
 */
export async function ingestLines(lines: ParsedLine[], nowMs = Date.now(), opts: IngestOptions = {}): Promise<IngestResult> {
  return (await prepareLines(lines, nowMs, opts)).commit();
}
