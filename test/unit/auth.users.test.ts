import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_USERS, findUser, loadUsers, parseUsers, verifyPassword } from '@/lib/auth/users';

const hash = bcrypt.hashSync('pw', 4);
const ok = { email: 'ann@example.com', name: 'Ann', role: 'support', warehouses: ['DC-ATL'], password_hash: hash };
const errorOf = (users: unknown): string => {
  try {
    parseUsers(JSON.stringify(users));
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a validation error');
};

describe('CT_USERS_FILE validation', () => {
  it('accepts valid users, normalising email and "*"', () => {
    const users = parseUsers(JSON.stringify([{ ...ok, email: ' Ann@Example.COM ' }, { ...ok, email: 'b@x.io', role: 'finance', warehouses: ['*'] }, { ...ok, email: 'c@x.io', role: 'admin', warehouses: ['DC-ATL'] }]));
    expect(users.map((u) => [u.email, u.role, u.warehouses])).toEqual([
      ['ann@example.com', 'support', ['DC-ATL']],
      ['b@x.io', 'finance', '*'],
      ['c@x.io', 'admin', '*'], // an admin sees every warehouse
    ]);
  });

  it('reads "disabled": true; a disabled user is not found for sign-in or sessions', () => {
    const users = parseUsers(JSON.stringify([ok, { ...ok, email: 'off@x.io', disabled: true }, { ...ok, email: 'on@x.io', disabled: false }]));
    expect(users.map((u) => [u.email, u.disabled])).toEqual([['ann@example.com', false], ['off@x.io', true], ['on@x.io', false]]);
    expect(errorOf([{ ...ok, disabled: 'yes' }])).toMatch(/^CT_USERS_FILE: \[0\]\.disabled: /);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-users-'));
    const file = path.join(dir, 'users.json');
    fs.writeFileSync(file, JSON.stringify([ok, { ...ok, email: 'off@x.io', disabled: true }]));
    process.env.CT_USERS_FILE = file;
    expect(findUser('ann@example.com')?.email).toBe('ann@example.com');
    expect(findUser('off@x.io')).toBeUndefined();
    delete process.env.CT_USERS_FILE;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [[{ ...ok, role: 'manager' }], '[0].role: expected one of executive, support, finance, admin'],
    [[ok, { ...ok, email: 'b@x.io', password_hash: 'plaintext' }], '[1].password_hash: expected a bcrypt hash'],
    [[{ ...ok, email: 'not-an-email' }], '[0].email: expected an email address'],
    [[{ ...ok, warehouses: [] }], '[0].warehouses: list the warehouses'],
    [[{ ...ok, warehouses: ['*', 'DC-ATL'] }], '[0].warehouses: use ["*"] alone'],
    [[{ ...ok, warehouses: 'DC-ATL' }], '[0].warehouses'],
    [[{ ...ok, name: '' }], '[0].name: must not be empty'],
    [[{ ...ok, warehouse: ['DC-ATL'] }], '[0]'],
    [[ok, { ...ok, email: 'ANN@example.com' }], '[1].email: duplicate user ann@example.com'],
    [{ users: [ok] }, '(root)'],
  ])('names the field: %j', (users, expected) => {
    const msg = errorOf(users);
    expect(msg).toMatch(/^CT_USERS_FILE: /);
    expect(msg).toContain(expected);
  });

  it('names unknown keys', () => expect(errorOf([{ ...ok, warehouse: ['DC-ATL'] }])).toContain('warehouse'));
  it('reports invalid JSON', () => expect(() => parseUsers('[{')).toThrow(/CT_USERS_FILE: not valid JSON/));
});

describe('user sources', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('demo users: one per role, every warehouse, the password from <CT_DATA_DIR>/demo-password', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-users-'));
    fs.writeFileSync(path.join(dir, 'demo-password'), 'kept-in-data-dir\n');
    delete process.env.CT_USERS_FILE;
    Object.assign(process.env, { CT_DEMO: '1', CT_DATA_DIR: dir });
    const users = loadUsers();
    expect(users.map((u) => [u.email, u.role, u.warehouses])).toEqual([
      ['exec@tower.local', 'executive', '*'],
      ['support@tower.local', 'support', '*'],
      ['finance@tower.local', 'finance', '*'],
      ['admin@tower.local', 'admin', '*'],
    ]);
    expect(DEMO_USERS.map((u) => u.role).sort()).toEqual(['admin', 'executive', 'finance', 'support']);
    expect(await verifyPassword(findUser('SUPPORT@tower.local'), 'kept-in-data-dir')).toBe(true);
    expect(await verifyPassword(findUser('support@tower.local'), 'kept-in-data-dir ')).toBe(false);
    // A new demo password (new data directory contents) replaces the old one.
    fs.writeFileSync(path.join(dir, 'demo-password'), 'rotated\n');
    expect(await verifyPassword(findUser('support@tower.local'), 'rotated')).toBe(true);
    fs.rmSync(path.join(dir, 'demo-password'));
    expect(loadUsers()).toEqual([]);
    process.env.CT_DEMO = '0';
    fs.writeFileSync(path.join(dir, 'demo-password'), 'x\n');
    expect(loadUsers()).toEqual([]); // demo off and no users file: nobody signs in with a password
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('CT_USERS_FILE wins over demo users; unknown accounts never verify', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-users-'));
    const file = path.join(dir, 'users.json');
    fs.writeFileSync(file, JSON.stringify([ok]));
    fs.writeFileSync(path.join(dir, 'demo-password'), 'demo\n');
    Object.assign(process.env, { CT_DEMO: '1', CT_DATA_DIR: dir, CT_USERS_FILE: file });
    expect(loadUsers().map((u) => u.email)).toEqual(['ann@example.com']);
    expect(await verifyPassword(findUser('ann@example.com'), 'pw')).toBe(true);
    expect(await verifyPassword(findUser('ann@example.com'), 'PW')).toBe(false);
    expect(await verifyPassword(findUser('admin@tower.local'), 'demo')).toBe(false);
    process.env.CT_USERS_FILE = path.join(dir, 'missing.json');
    expect(() => loadUsers()).toThrow(/CT_USERS_FILE: cannot read/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
