import { env } from '@/lib/config/env';
import { readBodyReserved } from './body';
import { parseBodyAsync, type ParsedLine } from './parse';
import { ingestLines } from './pipeline';
import type { IngestResult } from './types';

/**
 * POST /api/v1/ingest: body limits, then the shared pipeline. The body's claim on the memory budget
 * lasts until its lines are parsed; from there the pipeline claims the batch's own weight.
 */
export async function ingestRequest(req: Request): Promise<IngestResult> {
  const { body, reservation } = await readBodyReserved(req, env().CT_MAX_BODY_BYTES);
  let lines: ParsedLine[];
  try {
    lines = await parseBodyAsync(body, req.headers.get('content-type'));
  } finally {
    reservation.release();
  }
  return ingestLines(lines);
}

export const ingestStatus = (r: IngestResult): number => (r.rejected > 0 ? 207 : 200);
