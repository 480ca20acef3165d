/** Next.js calls register() once per server process before serving: the only place startup work runs. */
export async function register(): Promise<void> {
  // NEXT_RUNTIME is set by Next.js, not a setting (see lib/config/env.ts).
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { registerNode } = await import('./lib/server/register-node');
    await registerNode();
  }
}
