import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { atMostOnce, optionalTime } from '@/lib/http/params';
import { driftCauses } from '@/lib/kpi/drift-causes';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route('read', async ({ url, warehouses }) => {
  const asOf = optionalTime(url, 'as_of') ?? Date.now();
  // Present but empty is a bad SKU (400), not "every SKU": only leaving it out means that.
  const sku = atMostOnce('sku', url.searchParams.getAll('sku')) ?? null;
  return json(await driftCauses(warehouses.scope, { asOf, sku }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
