'use client';
import type { ApiError } from '@/components/data/fetcher';

/** Shows the API's own `error.message`: it names the parameter or scope problem precisely. */
export function ErrorState({ error, onRetry }: { error: ApiError | Error; onRetry?: () => void }) {
  const status = 'status' in error && typeof error.status === 'number' && error.status > 0 ? error.status : null;
  return (
    <div role="alert" className="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950/40 dark:text-red-200">
      <p className="font-medium">{status === 403 ? 'Not in your scope' : 'Could not load this data'}</p>
      <p className="mt-1 break-words">
        {error.message}
        {status ? <span className="text-red-600/70 dark:text-red-300/70"> (HTTP {status})</span> : null}
      </p>
      {onRetry ? (
        <button type="button" onClick={onRetry} className="mt-2 rounded border border-red-400 px-2 py-1 text-xs hover:bg-red-100 dark:hover:bg-red-900">
          Retry
        </button>
      ) : null}
    </div>
  );
}
