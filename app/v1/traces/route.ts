import { readIngestBody } from '@/ingest/http';
import { admitIngest, ingestAsCaller } from '@/ingest/limits';
import { otlpResponse, parseOtlpJson } from '@/ingest/otlp';
import { otherMethods, route } from '@/lib/auth/route';
import { AppError } from '@/lib/errors';
import { json } from '@/lib/http/respond';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** OTLP/HTTP traces (JSON encoding). Spans become sync.message events through the ingest pipeline. */
export const POST = route('ingest', async ({ req, principal }) => {
  const type = (req.headers.get('content-type') ?? 'application/json').toLowerCase();
  if (!type.includes('json')) {
    throw new AppError('bad_request', 'content-type: only the OTLP JSON encoding (application/json) is accepted');
  }
  admitIngest(principal);
  const body = await readIngestBody(req);
  const { lines } = parseOtlpJson(body);
  const result = await ingestAsCaller(principal, lines);
  const reasons = result.errors.map((e) => `span ${e.line} (${e.event_id ?? '?'}): ${e.reason}`);
  return json(otlpResponse(result.rejected, reasons), 200);
});

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST');
