'use client';
import { CloseView } from '@/components/close/CloseView';

export default function ClosePage() {
  return <CloseView />;
}
