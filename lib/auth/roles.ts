/** What a route needs. Mirrors the role × endpoint table of api.md, and nothing else grants access. */
export type Permission = 'ingest' | 'read' | 'pipeline' | 'act';
export type Role = 'executive' | 'support' | 'finance' | 'admin';
export const ROLES: readonly Role[] = ['executive', 'support', 'finance', 'admin'];
export const PERMISSIONS: readonly Permission[] = ['ingest', 'read', 'pipeline', 'act'];

export type Principal =
  | { kind: 'ingest_token' }
  | { kind: 'api_token' }
  | { kind: 'user'; email: string; name: string; role: Role; warehouses: readonly string[] | '*' };

const GRANTS: Record<Role | 'ingest_token' | 'api_token', readonly Permission[]> = {
  executive: ['read'],
  support: ['read', 'pipeline', 'act'],
  finance: ['read'],
  admin: ['read', 'pipeline', 'act'],
  api_token: ['read', 'pipeline'],
  ingest_token: ['ingest'],
};

export function can(principal: Principal, perm: Permission): boolean {
  const who = principal.kind === 'user' ? principal.role : principal.kind;
  return GRANTS[who].includes(perm);
}

/** Role names arrive from files and IdP claims as plain strings; only these four mean anything. */
export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** Where each role lands after sign-in. Kept free of server imports: the login form uses it too. */
export const HOME: Record<Role, string> = {
  executive: '/',
  support: '/exceptions',
  finance: '/close',
  admin: '/',
};
