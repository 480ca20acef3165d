import { authRoute } from '@/lib/auth/handler';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/**
 * next-auth (sign-in, sign-out, csrf, session). Public by nature, so it is the one route family not
 * built with route() from lib/auth/route.ts; it never serves warehouse data.
 */
type Ctx = { params: Promise<{ nextauth?: string[] }> };

export async function GET(req: Request, ctx: Ctx): Promise<Response> {
  return authRoute(req, (await ctx.params).nextauth ?? []);
}

export async function POST(req: Request, ctx: Ctx): Promise<Response> {
  return authRoute(req, (await ctx.params).nextauth ?? []);
}
