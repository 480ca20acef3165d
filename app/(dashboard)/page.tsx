'use client';
import { SummaryView } from '@/components/summary/SummaryView';

export default function SummaryPage() {
  return <SummaryView />;
}
