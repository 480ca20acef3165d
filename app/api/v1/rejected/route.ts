import { otherMethods, route } from '@/lib/auth/route';
import { atMostOnce, parseLimit, parseWindow } from '@/lib/http/params';
import { json } from '@/lib/http/respond';
import { listRejected } from '@/lib/queries/rejected';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const single = (url: URL, name: string): string | null => atMostOnce(name, url.searchParams.getAll(name)) ?? null;

export const GET = route('pipeline', async ({ url, warehouses }) => {
  const { from, to } = parseWindow(url);
  const limit = parseLimit(single(url, 'limit'));
  const cursor = single(url, 'cursor');
  return json(await listRejected(warehouses.scope, { from, to, limit, cursor: cursor === '' ? null : cursor }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
