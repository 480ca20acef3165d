import type { Metadata } from 'next';
import { safeCallbackPath } from '@/lib/auth/callback';
import { oidcConfig } from '@/lib/auth/oidc';
import { configuredOrigin } from '@/lib/auth/origin';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in · Sync Control Tower' };
// SSO is configured at run time, not build time.
export const dynamic = 'force-dynamic';

type Search = Promise<Record<string, string | string[] | undefined>>;

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export default async function LoginPage({ searchParams }: { searchParams: Search }) {
  const q = await searchParams;
  const sso = oidcConfig();
  const callback = first(q.callbackUrl);
  // The form gets a normalised path of ours or nothing; it checks again in the browser.
  const callbackUrl = callback ? safeCallbackPath(callback, configuredOrigin() ?? undefined) : null;
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="mb-1 text-xl font-semibold">Sync Control Tower</h1>
        <p className="mb-6 text-sm text-slate-600 dark:text-slate-400">Sign in to see your warehouses.</p>
        <LoginForm
          callbackUrl={callbackUrl === '/' ? null : callbackUrl}
          initialError={first(q.error) ?? null}
          ssoLabel={sso ? sso.label : null}
          ssoReturn={first(q.sso) === '1'}
        />
      </div>
    </main>
  );
}
