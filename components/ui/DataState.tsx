'use client';
import type { ReactNode } from 'react';
import type { ApiError } from '@/components/data/fetcher';
import { EmptyState } from './EmptyState';
import { ErrorState } from './ErrorState';
import { SkeletonBlock } from './Skeleton';

interface Props<T> {
  data: T | undefined;
  error: ApiError | undefined;
  isLoading: boolean;
  retry?: () => void;
  skeleton?: ReactNode;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}

/** Loading → skeleton, error → the API's message, empty → empty state, else the content. */
export function DataState<T>({ data, error, isLoading, retry, skeleton, isEmpty, empty, children }: Props<T>) {
  // Stale data beats an error banner during a background refresh; the banner still shows above it.
  if (error && data === undefined) return <ErrorState error={error} onRetry={retry} />;
  if (data === undefined) return <>{isLoading || !error ? (skeleton === undefined ? <SkeletonBlock /> : skeleton) : null}</>;
  if (isEmpty?.(data)) return <>{empty ?? <EmptyState title="No data for this selection" />}</>;
  return (
    <>
      {error ? <ErrorState error={error} onRetry={retry} /> : null}
      {children(data)}
    </>
  );
}
