import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { listExceptions, parseExceptionListQuery } from '@/lib/queries/exceptions';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route('read', async ({ url, warehouses }) => {
  const params = parseExceptionListQuery(url.searchParams, Date.now());
  return json(await listExceptions(warehouses.scope, params));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
