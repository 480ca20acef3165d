import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { optionalTime } from '@/lib/http/params';
import { flowWaiting, parseFlowWaitingQuery } from '@/lib/queries/flow-waiting';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route('read', async ({ url, warehouses }) => {
  const asOf = optionalTime(url, 'as_of') ?? Date.now();
  return json(await flowWaiting(warehouses.scope, parseFlowWaitingQuery(url.searchParams, asOf)));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
