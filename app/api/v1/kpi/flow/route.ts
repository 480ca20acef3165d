import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { optionalTime } from '@/lib/http/params';
import { flow, parseFlowWorkflow } from '@/lib/kpi/flow';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route('read', async ({ url, warehouses }) => {
  const asOf = optionalTime(url, 'as_of') ?? Date.now();
  const workflow = parseFlowWorkflow(url.searchParams);
  return json(await flow(warehouses.scope, { asOf, workflow, requested: warehouses.requested }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
