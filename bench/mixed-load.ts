import { mixedScenario } from '../test/reliability/mixed';
import { API_TOKEN, INGEST_TOKEN } from './server';

/**
 * Issue 15's mixed load on the stored data: 25 dashboard users (about 8 requests/s together, each every
 * 2–4 s) while 2,000 events/s are ingested as one 2,000-event batch per second (issue 16's ack target is
 * for 2,000-event batches). The scenario is the reliability suite's (test/reliability/mixed.ts), run
 * against the bench server with its tokens; the bench judges the figures against the targets.
 */

export const MIXED = { users: 25, readRate: 8, eventsPerSecond: 2000, batchesPerSecond: 1 } as const;

export interface MixedFigures {
  seconds: number;
  users: number;
  reads: number;
  read_errors: number;
  read_p50_ms: number;
  read_p95_ms: number;
  read_p99_ms: number;
  read_max_ms: number;
  batches: number;
  batch_events: number;
  ack_errors: number;
  ack_p50_ms: number;
  ack_p99_ms: number;
  events_offered_per_s: number;
  notes: string[];
}

export async function mixedLoad(url: string, seconds: number, log: (s: string) => void): Promise<MixedFigures> {
  const r = await mixedScenario({ seconds, ...MIXED, server: { url, apiToken: API_TOKEN, ingestToken: INGEST_TOKEN }, say: (s) => {
    // The scenario's own met/miss lines judge CI-style thresholds; the bench judges issue 15's in the report.
    if (s.trimStart().startsWith('·')) log(s);
  } });
  const f = r.figures;
  if (!f) throw new Error('the mixed scenario returned no figures');
  const num = (k: string) => (Number.isFinite(f[k]) ? f[k]! : NaN);
  return {
    seconds, users: MIXED.users,
    reads: num('reads'), read_errors: num('read_errors'), read_p50_ms: num('read_p50_ms'), read_p95_ms: num('read_p95_ms'),
    read_p99_ms: num('read_p99_ms'), read_max_ms: num('read_max_ms'), batches: num('batches'), batch_events: num('batch_events'),
    ack_errors: num('ack_errors'), ack_p50_ms: num('ack_p50_ms'), ack_p99_ms: num('ack_p99_ms'), events_offered_per_s: num('events_offered_per_s'),
    notes: r.notes,
  };
}
