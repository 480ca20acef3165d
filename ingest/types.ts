import type { CanonicalEvent } from '@/lib/events';
import type { EventRow } from '@/lib/events/row';
import type { ParseFailure } from './parse';

/** Why a line did not become a stored event. Every drop carries exactly one. */
export type DropKind = ParseFailure | 'not_an_object' | 'invalid_event' | 'duplicate_in_batch' | 'duplicate_stored';

export interface Drop {
  line: number;
  event_id: string | null;
  kind: DropKind;
  reason: string;
  raw: string;
  event?: CanonicalEvent;
}

export interface Accepted {
  line: number;
  event: CanonicalEvent;
  row: EventRow;
}

export interface IngestError {
  line: number;
  event_id: string | null;
  reason: string;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** Every rejected line, listed in `errors` or not. */
  rejected: number;
  errors: IngestError[];
  /** Rejected lines past CT_MAX_REJECTED_PER_BATCH: counted in `rejected`, neither listed nor kept. Absent when 0. */
  errors_truncated?: number;
}

export const isDuplicate = (d: Drop): boolean => d.kind === 'duplicate_in_batch' || d.kind === 'duplicate_stored';

/**
 * The rejected lines a batch keeps (in rejected_events) and lists (in `errors`): the first `max` by
 * line number. The rest are only counted, so one body of junk cannot write or return without limit.
 */
export function keptRejections(drops: readonly Drop[], max: number): { kept: Drop[]; total: number } {
  const rejected = drops.filter((d) => !isDuplicate(d)).sort((a, b) => a.line - b.line);
  return { kept: rejected.length > max ? rejected.slice(0, max) : rejected, total: rejected.length };
}

export function summarize(accepted: number, drops: readonly Drop[], maxRejected = Infinity): IngestResult {
  const { kept, total } = keptRejections(drops, maxRejected);
  const result: IngestResult = {
    accepted,
    duplicates: drops.length - total,
    rejected: total,
    errors: kept.map((d) => ({ line: d.line, event_id: d.event_id, reason: d.reason })),
  };
  if (total > kept.length) result.errors_truncated = total - kept.length;
  return result;
}
