import type { Principal } from './roles';

/**
 * Resolves a signed-in browser user from the request's session cookie.
 * Browser sign-in (next-auth) plugs in here; until a session exists, there is no user.
 */
export async function sessionPrincipal(_req: Request): Promise<Principal | null> {
  return null;
}
