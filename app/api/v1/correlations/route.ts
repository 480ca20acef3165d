import { otherMethods, route } from '@/lib/auth/route';
import { AppError } from '@/lib/errors';
import { json } from '@/lib/http/respond';
import { correlationDetail } from '@/lib/queries/correlation';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** `?id=` form, for ids a path segment cannot carry (`.`, `..`): URLSearchParams decodes exactly once. */
export const GET = route('read', async ({ url, warehouses }) => {
  const ids = url.searchParams.getAll('id');
  if (ids.length !== 1) throw new AppError('bad_request', 'id: give it exactly once');
  return json(await correlationDetail(warehouses.scope, ids[0]!));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
