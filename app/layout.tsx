import type { Metadata } from 'next';
import './globals.css';

export const metadata: Metadata = { title: 'Sync Control Tower', description: 'Integration health, close readiness and drill-down per warehouse' };

// Sets the theme class before first paint, so a dark-theme user never sees a light flash.
// Same key and rule as components/shell/theme.tsx; CSP allows inline scripts (next.config.js).
const themeBootstrap =
  "try{var t=localStorage.getItem('ct-theme');var d=t?t==='dark':matchMedia('(prefers-color-scheme: dark)').matches;" +
  "var e=document.documentElement;e.classList.toggle('dark',d);e.style.colorScheme=d?'dark':'light'}catch(_){}";

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeBootstrap }} />
      </head>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">{children}</body>
    </html>
  );
}
