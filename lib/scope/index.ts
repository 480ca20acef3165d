/**
 * The caller's warehouse scope: the first argument of every query function. `all` is only ever
 * produced by the auth wrapper for admins and the API token; everyone else carries an explicit list.
 */
export type Scope = { readonly all: true } | { readonly all: false; readonly warehouses: readonly string[] };

/** The warehouses a query must restrict to, after applying a request's `warehouse` filter. */
export interface QueryScope {
  /** null: every warehouse (admin / API token with no filter). Otherwise the exact list (may be empty). */
  readonly warehouses: readonly string[] | null;
}

export const ALL: Scope = { all: true };

export function inScope(scope: Scope, warehouse: string): boolean {
  return scope.all || scope.warehouses.includes(warehouse);
}

/**
 * Applies a request's repeatable `warehouse` filter to the caller's scope. A warehouse outside the
 * scope is refused by the caller (see lib/auth), so here it is simply reported.
 */
export function narrow(scope: Scope, requested: readonly string[]): { scope: QueryScope; outside: string[] } {
  const wanted = [...new Set(requested)];
  if (wanted.length === 0) return { scope: { warehouses: scope.all ? null : [...scope.warehouses] }, outside: [] };
  const outside = scope.all ? [] : wanted.filter((w) => !scope.warehouses.includes(w));
  return { scope: { warehouses: wanted }, outside };
}
