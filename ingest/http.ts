import type { Principal } from '@/lib/auth/roles';
import { env } from '@/lib/config/env';
import { readBody, readBodyReserved } from '@/lib/http/body';
import { admitIngest, ingestAsCaller } from './limits';
import { Reservation } from './lock';
import { parseBodyAsync, type ParsedLine } from './parse';
import type { IngestResult } from './types';

/**
 * POST /api/v1/ingest: rate limit, body limits, line limit, then the shared pipeline. The body's claim
 * on the memory budget lasts until its lines are parsed; from there the pipeline claims the batch's own weight.
 */
export async function ingestRequest(req: Request, caller: Principal): Promise<IngestResult> {
  admitIngest(caller);
  const { body, reservation } = await readBodyReserved(req, env().CT_MAX_BODY_BYTES, new Reservation());
  let lines: ParsedLine[];
  try {
    lines = await parseBodyAsync(body, req.headers.get('content-type'));
  } finally {
    reservation.release();
  }
  return ingestAsCaller(caller, lines);
}

/** An ingest body (OTLP traces too) read under the body limit and the ingest memory budget. */
export const readIngestBody = (req: Request): Promise<Buffer> => readBody(req, env().CT_MAX_BODY_BYTES, new Reservation());

export const ingestStatus = (r: IngestResult): number => (r.rejected > 0 ? 207 : 200);
