'use client';
import { DriftView } from '@/components/drift/DriftView';

export default function DriftPage() {
  return <DriftView />;
}
