'use client';
import { FlowView } from '@/components/flow/FlowView';

export default function FlowPage() {
  return <FlowView />;
}
