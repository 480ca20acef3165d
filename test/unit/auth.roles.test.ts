import { describe, expect, it } from 'vitest';
import { can, HOME, PERMISSIONS, ROLES, type Permission, type Principal } from '@/lib/auth/roles';

/**
 * api.md's role × endpoint table, transcribed row by row (✓ = allowed). Rows → permissions:
 * ingest = ingest and /v1/traces; read = kpi/*, correlations, exceptions (read), alerts (read);
 * pipeline = pipeline/health, rejected; act = exception actions, alert silence.
 */
const COLUMNS = ['executive', 'support', 'finance', 'admin', 'CT_API_TOKEN', 'CT_INGEST_TOKEN'] as const;
const TABLE: Record<Permission, string> = {
  ingest: '| – | – | – | – | – | ✓ |',
  read: '| ✓ | ✓ | ✓ | ✓ | ✓ | – |',
  pipeline: '| – | ✓ | – | ✓ | ✓ | – |',
  act: '| – | ✓ | – | ✓ | – | – |',
};

const principal = (col: (typeof COLUMNS)[number]): Principal =>
  col === 'CT_API_TOKEN'
    ? { kind: 'api_token' }
    : col === 'CT_INGEST_TOKEN'
      ? { kind: 'ingest_token' }
      : { kind: 'user', email: `${col}@x`, name: col, role: col, warehouses: ['DC-ATL'] };

describe('can() is exactly the api.md table', () => {
  it('covers every permission', () => expect([...PERMISSIONS].sort()).toEqual(Object.keys(TABLE).sort()));
  for (const perm of PERMISSIONS) {
    const cells = TABLE[perm].split('|').map((c) => c.trim()).filter(Boolean);
    COLUMNS.forEach((col, i) => {
      const allowed = cells[i] === '✓';
      it(`${col} ${allowed ? 'may' : 'may not'} ${perm}`, () => expect(can(principal(col), perm)).toBe(allowed));
    });
  }
  it('does not depend on warehouses', () => {
    for (const perm of PERMISSIONS) {
      expect(can({ kind: 'user', email: 'a@x', name: 'a', role: 'executive', warehouses: '*' }, perm)).toBe(perm === 'read');
    }
  });
  it('gives every role a home page', () => {
    expect(Object.keys(HOME).sort()).toEqual([...ROLES].sort());
    expect(HOME).toEqual({ executive: '/', support: '/exceptions', finance: '/close', admin: '/' });
  });
});
