import { readIngestBody } from '@/ingest/http';
import { otlpResponse, parseOtlpJson } from '@/ingest/otlp';
import { ingestLines } from '@/ingest/pipeline';
import { otherMethods, route } from '@/lib/auth/route';
import { AppError } from '@/lib/errors';
import { json } from '@/lib/http/respond';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** OTLP/HTTP traces (JSON encoding). Spans become sync.message events through the ingest pipeline. */
export const POST = route('ingest', async ({ req }) => {
  const type = (req.headers.get('content-type') ?? 'application/json').toLowerCase();
  if (!type.includes('json')) {
    throw new AppError('bad_request', 'content-type: only the OTLP JSON encoding (application/json) is accepted');
  }
  const body = await readIngestBody(req);
  const { lines } = parseOtlpJson(body);
  const result = await ingestLines(lines);
  const reasons = result.errors.map((e) => `span ${e.line} (${e.event_id ?? '?'}): ${e.reason}`);
  return json(otlpResponse(result.rejected, reasons), 200);
});

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST');
