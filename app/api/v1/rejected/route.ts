import { otherMethods, route } from '@/lib/auth/route';
import { AppError } from '@/lib/errors';
import { parseWindow } from '@/lib/http/params';
import { json } from '@/lib/http/respond';
import { listRejected, parseLimit } from '@/lib/queries/rejected';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

function single(url: URL, name: string): string | null {
  const values = url.searchParams.getAll(name);
  if (values.length > 1) throw new AppError('bad_request', `${name}: give it at most once`);
  return values[0] ?? null;
}

export const GET = route('pipeline', async ({ url, warehouses }) => {
  const { from, to } = parseWindow(url);
  const limit = parseLimit(single(url, 'limit'));
  const cursor = single(url, 'cursor');
  return json(await listRejected(warehouses.scope, { from, to, limit, cursor: cursor === '' ? null : cursor }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
