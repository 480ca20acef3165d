import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { optionalTime, parseLimit } from '@/lib/http/params';
import { unpostedList } from '@/lib/kpi/unposted';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route('read', async ({ url, warehouses }) => {
  const asOf = optionalTime(url, 'as_of') ?? Date.now();
  const limit = parseLimit(url.searchParams.get('limit'));
  return json(await unpostedList(warehouses.scope, { asOf, limit }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
