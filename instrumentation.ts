/** Next.js calls register() once per server process before serving: the only place startup work runs. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (process.env.NEXT_PHASE === 'phase-production-build') return;
  const { startup } = await import('./lib/server/startup');
  try {
    await startup();
  } catch (err) {
    console.error('[tower] startup failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
