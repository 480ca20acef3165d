import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { parseWindow } from '@/lib/http/params';
import { syncLagHints } from '@/lib/kpi/sync-lag-hints';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route('read', async ({ url, warehouses }) => {
  const { from, to } = parseWindow(url);
  return json(await syncLagHints(warehouses.scope, { from, to, requested: warehouses.requested }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
