'use client';
import { useCallback, useEffect, useState } from 'react';

/** Theme = a `dark` class on <html> (tailwind's custom variant), remembered in localStorage. */
const KEY = 'ct-theme';
type Theme = 'light' | 'dark';

export function storedTheme(): Theme {
  try {
    const t = window.localStorage.getItem(KEY);
    if (t === 'dark' || t === 'light') return t;
  } catch {
    // Storage disabled: fall through to the system preference.
  }
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(t: Theme): void {
  document.documentElement.classList.toggle('dark', t === 'dark');
  document.documentElement.style.colorScheme = t;
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(() => (typeof window === 'undefined' ? 'light' : storedTheme()));
  useEffect(() => applyTheme(theme), [theme]);
  const toggle = useCallback(() => {
    setTheme((t) => {
      const next: Theme = t === 'dark' ? 'light' : 'dark';
      try {
        window.localStorage.setItem(KEY, next);
      } catch {
        // Not persisted; still applied for this page.
      }
      return next;
    });
  }, []);
  const dark = theme === 'dark';
  return (
    <button
      type="button"
      onClick={toggle}
      aria-label={dark ? 'Switch to light theme' : 'Switch to dark theme'}
      aria-pressed={dark}
      title={dark ? 'Light theme' : 'Dark theme'}
      className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
    >
      <span aria-hidden="true">{dark ? '☀' : '☾'}</span>
    </button>
  );
}
