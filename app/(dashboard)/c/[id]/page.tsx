'use client';
import { usePathname } from 'next/navigation';
import { CorrelationView } from '@/components/correlation/CorrelationView';

/**
 * The id is taken from the path exactly as linked (percent-encoded) and decoded once, so ids holding
 * "%", "/" or quotes round-trip without depending on how the router pre-decodes params.
 */
function idFromPath(pathname: string): string {
  const raw = pathname.replace(/^\/c\//, '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export default function CorrelationPage() {
  const pathname = usePathname();
  const id = idFromPath(pathname);
  return <CorrelationView key={id} id={id} />;
}
