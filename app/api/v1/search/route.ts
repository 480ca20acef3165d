import { otherMethods, route } from '@/lib/auth/route';
import { AppError } from '@/lib/errors';
import { json } from '@/lib/http/respond';
import { search } from '@/lib/queries/search';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route('read', async ({ url, warehouses }) => {
  const qs = url.searchParams.getAll('q');
  if (qs.length !== 1) throw new AppError('bad_request', 'q: give it exactly once');
  return json(await search(warehouses.scope, qs[0]!));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
