'use client';

import { getSession, signIn } from 'next-auth/react';
import { useEffect, useState, type FormEvent } from 'react';
import { safeCallbackPath } from '@/lib/auth/callback';
import { HOME, isRole } from '@/lib/auth/roles';

const MESSAGES: Record<string, string> = {
  CredentialsSignin: 'Wrong email or password.',
  rate_limited: 'Too many failed sign-ins for this account. Wait 15 minutes and try again.',
  AccessDenied: 'Your single sign-on account has no Control Tower role or warehouses.',
  Configuration: 'Sign-in is not available right now; the server log says why.',
  // Single sign-on; the codes come from next-auth and lib/auth/oidc.ts. Never the exception text.
  EmailUnverified: 'Your email address is not verified at your identity provider. Verify it there, then sign in again.',
  SsoState: 'This sign-in could not be matched to this browser (it expired, or the request was altered). Start single sign-on again.',
  SsoToken: 'The identity provider’s answer failed verification (signature, audience or nonce), so sign-in was refused. If this keeps happening, tell your administrator.',
  SsoDenied: 'Your identity provider did not complete the sign-in.',
  OAuthSignin: 'Single sign-on is not reachable right now. Try again later, or sign in with email and password.',
  OAuthCallback: 'Single sign-on did not complete. Start it again.',
};
const message = (code: string): string => MESSAGES[code] ?? 'Sign-in failed. Try again.';

/** Only our own pages (the same check as the server's); '/' means "nowhere in particular", so the role's home wins over it. */
function safeTarget(callbackUrl: string | null): string | null {
  const path = safeCallbackPath(callbackUrl, window.location.origin);
  if (path === '/' || path.startsWith('/login') || path.startsWith('/api/')) return null;
  return path;
}

async function goHome(callbackUrl: string | null): Promise<boolean> {
  const session = await getSession();
  const role = session?.user?.role;
  if (!isRole(role)) return false;
  window.location.assign(safeTarget(callbackUrl) ?? HOME[role]);
  return true;
}

export function LoginForm(props: { callbackUrl: string | null; initialError: string | null; ssoLabel: string | null; ssoReturn: boolean }) {
  const [error, setError] = useState<string | null>(props.initialError ? message(props.initialError) : null);
  const [busy, setBusy] = useState(false);

  // Back from the IdP: the session exists now, so go where this role belongs.
  useEffect(() => {
    if (props.ssoReturn) void goHome(props.callbackUrl);
  }, [props.ssoReturn, props.callbackUrl]);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const res = await signIn('credentials', { email: String(form.get('email') ?? ''), password: String(form.get('password') ?? ''), redirect: false });
      if (res?.ok && !res.error && (await goHome(props.callbackUrl))) return;
      setError(message(res?.status === 429 ? 'rate_limited' : (res?.error ?? 'CredentialsSignin')));
    } catch {
      setError(message('unknown'));
    }
    setBusy(false);
  }

  return (
    <div className="space-y-4">
      <form method="post" onSubmit={onSubmit} className="space-y-4" aria-describedby={error ? 'login-error' : undefined}>
        <div>
          <label htmlFor="email" className="mb-1 block text-sm font-medium">Email</label>
          <input id="email" name="email" type="email" autoComplete="username" required autoFocus
            aria-invalid={error ? true : undefined}
            className="w-full rounded border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-950" />
        </div>
        <div>
          <label htmlFor="password" className="mb-1 block text-sm font-medium">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required
            aria-invalid={error ? true : undefined}
            className="w-full rounded border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-950" />
        </div>
        <p id="login-error" role="alert" aria-live="assertive" className="min-h-5 text-sm text-red-700 dark:text-red-400">{error}</p>
        <button type="submit" disabled={busy}
          className="w-full rounded bg-sky-700 px-3 py-2 font-medium text-white hover:bg-sky-800 disabled:opacity-60">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {props.ssoLabel && (
        <button type="button" onClick={() => void signIn('oidc', { callbackUrl: `/login?sso=1${props.callbackUrl ? `&callbackUrl=${encodeURIComponent(props.callbackUrl)}` : ''}` })}
          className="w-full rounded border border-slate-300 px-3 py-2 font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
          Sign in with {props.ssoLabel}
        </button>
      )}
    </div>
  );
}
