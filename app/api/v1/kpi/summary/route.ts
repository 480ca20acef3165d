import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { parseWindow } from '@/lib/http/params';
import { summary } from '@/lib/kpi/summary';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route('read', async ({ url, warehouses }) => {
  const { from, to } = parseWindow(url);
  return json(await summary(warehouses.scope, { from, to, requested: warehouses.requested }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
