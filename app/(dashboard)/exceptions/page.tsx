'use client';
import { ExceptionsView } from '@/components/exceptions/ExceptionsView';

export default function ExceptionsPage() {
  return <ExceptionsView />;
}
