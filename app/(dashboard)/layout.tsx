'use client';
import { type ReactNode, Suspense } from 'react';
import { Shell, ShellFallback } from '@/components/shell/Shell';

/** Client shell for every dashboard page: nav, search, range, warehouse filter, refresh, theme. */
export default function DashboardLayout({ children }: { children: ReactNode }) {
  return (
    <Suspense fallback={<ShellFallback />}>
      <Shell>{children}</Shell>
    </Suspense>
  );
}
