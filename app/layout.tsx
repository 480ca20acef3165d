import type { Metadata } from 'next';
import { headers } from 'next/headers';
import './globals.css';

export const metadata: Metadata = { title: 'Sync Control Tower', description: 'Integration health, close readiness and drill-down per warehouse' };

// Sets the theme class before first paint, so a dark-theme user never sees a light flash.
// Same key and rule as components/shell/theme.tsx. It runs under the request's CSP nonce (proxy.ts).
const themeBootstrap =
  "try{var t=localStorage.getItem('ct-theme');var d=t?t==='dark':matchMedia('(prefers-color-scheme: dark)').matches;" +
  "var e=document.documentElement;e.classList.toggle('dark',d);e.style.colorScheme=d?'dark':'light'}catch(_){}";

/** Reading the nonce makes every page render per request: a prerendered page could not carry one. */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeBootstrap }} />
      </head>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">{children}</body>
    </html>
  );
}
