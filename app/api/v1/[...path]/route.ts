import { notFound } from '@/lib/auth/route';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Any /api/v1 path no route serves: JSON 404. Static and dynamic routes take precedence over this catch-all. */
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = notFound();
