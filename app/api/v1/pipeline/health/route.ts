import { otherMethods, route } from '@/lib/auth/route';
import { parseWindow } from '@/lib/http/params';
import { json } from '@/lib/http/respond';
import { pipelineHealth } from '@/lib/queries/pipeline-health';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route('pipeline', async ({ url, warehouses }) => {
  const { from, to } = parseWindow(url);
  return json(await pipelineHealth(warehouses.scope, { from, to }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
