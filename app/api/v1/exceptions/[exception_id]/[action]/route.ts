import { isExceptionAction, parseActionBody, performExceptionAction } from '@/lib/triage/actions';
import { readBody } from '@/lib/http/body';
import { otherMethods, route } from '@/lib/auth/route';
import { AppError } from '@/lib/errors';
import { json } from '@/lib/http/respond';
import { exceptionState } from '@/lib/queries/exceptions';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

// Action bodies are a few fields; anything larger is not a legitimate request.
const MAX_ACTION_BODY = 64 * 1024;

export const POST = route<{ exception_id: string; action: string }>('act', async ({ req, principal, warehouses, params }) => {
  const action = params.action;
  if (!isExceptionAction(action)) throw new AppError('not_found', 'action: must be acknowledge, assign or resolve');
  const body = parseActionBody((await readBody(req, MAX_ACTION_BODY)).toString('utf8'));
  const scope = warehouses.scope;
  await performExceptionAction({
    exceptionId: params.exception_id,
    action,
    body,
    actor: principal,
    lookup: (id, now) => exceptionState(scope, id, now),
  });
  const item = await exceptionState(scope, params.exception_id, Date.now());
  if (!item) throw new AppError('not_found', 'exception_id: no such exception');
  return json(item);
});

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST');
