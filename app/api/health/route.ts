import { otherMethods } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { serverState } from '@/lib/server/state';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Unauthenticated liveness/readiness for process managers and the start script. Reveals nothing else. */
export async function GET(): Promise<Response> {
  const s = serverState();
  return json({ status: s.ready ? 'ok' : 'starting' }, s.ready ? 200 : 503, s.ready ? {} : { 'retry-after': '2' });
}

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
