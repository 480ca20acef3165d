import { ingestRequest, ingestStatus } from '@/ingest/http';
import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = route('ingest', async ({ req, principal }) => {
  const result = await ingestRequest(req, principal);
  return json(result, ingestStatus(result));
});

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST');
