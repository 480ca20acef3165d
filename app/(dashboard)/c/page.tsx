'use client';
import { useSearchParams } from 'next/navigation';
import { CorrelationView } from '@/components/correlation/CorrelationView';
import { EmptyState } from '@/components/ui/EmptyState';

/** `/c?id=…`: the query form, for ids a path cannot carry ("." and ".."). */
export default function CorrelationQueryPage() {
  const id = useSearchParams().get('id');
  if (id === null) return <EmptyState title="No correlation ID given">Use the search box to find a transaction.</EmptyState>;
  return <CorrelationView key={id} id={id} />;
}
