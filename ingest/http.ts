import { env } from '@/lib/config/env';
import { readBody } from './body';
import { parseBody } from './parse';
import { ingestLines } from './pipeline';
import type { IngestResult } from './types';

/** POST /api/v1/ingest: body limits, then the shared pipeline. */
export async function ingestRequest(req: Request): Promise<IngestResult> {
  const body = await readBody(req, env().CT_MAX_BODY_BYTES);
  const lines = parseBody(body, req.headers.get('content-type'));
  return ingestLines(lines);
}

export const ingestStatus = (r: IngestResult): number => (r.rejected > 0 ? 207 : 200);
