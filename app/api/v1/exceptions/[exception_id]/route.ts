import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { exceptionDetail } from '@/lib/queries/exceptions-detail';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route<{ exception_id: string }>('read', async ({ warehouses, params }) =>
  json(await exceptionDetail(warehouses.scope, params.exception_id, Date.now())),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
