'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { FiringBadge } from '@/components/alerts/FiringBadge';
import type { Role } from '@/components/data/types';
import { useSessionUser } from './session';
import { useGlobalHref } from './url-state';

interface Item {
  href: string;
  label: string;
  /** Roles whose home this is: shown first for them. */
  home?: Role[];
  /** Shows the count of firing alerts next to the label. */
  badge?: boolean;
}

const ITEMS: Item[] = [
  { href: '/', label: 'Summary', home: ['executive', 'admin'] },
  { href: '/sync', label: 'Sync health' },
  { href: '/exceptions', label: 'Exceptions', home: ['support'] },
  { href: '/invoices', label: 'Invoices' },
  { href: '/flow', label: 'Flow' },
  { href: '/drift', label: 'Drift' },
  { href: '/close', label: 'Close', home: ['finance'] },
  { href: '/alerts', label: 'Alerts', badge: true },
];

const ROLE_LABEL: Record<Role, string> = { executive: 'Executive', support: 'Support', finance: 'Finance', admin: 'Admin' };

function isActive(pathname: string, href: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

export function Nav() {
  const pathname = usePathname();
  const href = useGlobalHref();
  const { user } = useSessionUser();
  const role = user?.role ?? null;
  // A role's home page leads; the rest keep their order.
  const items = role ? [...ITEMS].sort((a, b) => Number(!!b.home?.includes(role)) - Number(!!a.home?.includes(role))) : ITEMS;

  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
      <Link href={href('/')} className="flex items-center gap-2 font-semibold tracking-tight">
        <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm bg-sky-600" />
        Sync Control Tower
      </Link>
      <nav aria-label="Main" className="flex-1">
        <ul className="flex flex-wrap gap-1">
          {items.map((it) => {
            const active = isActive(pathname, it.href);
            return (
              <li key={it.href}>
                <Link
                  href={href(it.href)}
                  aria-current={active ? 'page' : undefined}
                  className={`rounded px-2 py-1 text-sm ${
                    active ? 'bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900' : 'text-slate-700 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800'
                  }`}
                >
                  {it.label}
                  {it.badge && user ? <FiringBadge /> : null}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      {user ? (
        <div className="flex items-center gap-2 text-xs text-slate-600 dark:text-slate-400">
          <span title={user.email} className="max-w-40 truncate">
            {user.name}
          </span>
          {role ? <span className="rounded bg-slate-200 px-1.5 py-0.5 font-medium dark:bg-slate-800">{ROLE_LABEL[role]}</span> : null}
          <a href="/api/auth/signout" className="underline hover:text-slate-900 dark:hover:text-white">
            Sign out
          </a>
        </div>
      ) : null}
    </div>
  );
}
