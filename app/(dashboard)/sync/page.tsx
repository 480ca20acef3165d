'use client';
import { SyncView } from '@/components/sync/SyncView';

export default function SyncPage() {
  return <SyncView />;
}
