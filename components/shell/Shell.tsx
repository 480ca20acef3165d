'use client';
import { usePathname } from 'next/navigation';
import { type ReactNode, useLayoutEffect, useSyncExternalStore } from 'react';
import { SkeletonBlock } from '@/components/ui/Skeleton';
import { LiveProvider } from './live';
import { Nav } from './Nav';
import { RangePicker } from './RangePicker';
import { RefreshToggle } from './RefreshToggle';
import { SearchBox } from './SearchBox';
import { applyTheme, storedTheme, ThemeToggle } from './theme';
import { WarehouseFilter } from './WarehouseFilter';

const noop = () => () => undefined;

/**
 * The dashboard frame. Everything below renders only in the browser: the data is client-fetched anyway,
 * and time zone, "now" and theme differ between server and browser, which would break hydration.
 */
export function Shell({ children }: { children: ReactNode }) {
  const mounted = useSyncExternalStore(noop, () => true, () => false);
  useLayoutEffect(() => applyTheme(storedTheme()), []);
  if (!mounted) return <ShellFallback />;
  return (
    <LiveProvider>
      <Frame>{children}</Frame>
    </LiveProvider>
  );
}

function Frame({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  // On a single warehouse or a single transaction the warehouse filter would contradict the page.
  const scoped = pathname.startsWith('/w/') || pathname.startsWith('/c/') || pathname === '/c';
  return (
    <div className="min-h-screen">
      <header className="sticky top-0 z-20 border-b border-slate-200 bg-white/95 backdrop-blur dark:border-slate-800 dark:bg-slate-950/95">
        <div className="mx-auto max-w-screen-2xl space-y-2 px-4 py-2">
          <Nav />
          <div className="flex flex-wrap items-center gap-2">
            <SearchBox />
            <RangePicker />
            {scoped ? null : <WarehouseFilter />}
            <div className="ml-auto flex items-center gap-2">
              <RefreshToggle />
              <ThemeToggle />
            </div>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-screen-2xl px-4 py-4">
        {children}
      </main>
    </div>
  );
}

export function ShellFallback() {
  return (
    <div className="mx-auto max-w-screen-2xl px-4 py-4">
      <SkeletonBlock rows={3} label="Loading dashboard" />
    </div>
  );
}
