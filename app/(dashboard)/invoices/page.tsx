'use client';
import { InvoicesView } from '@/components/invoices/InvoicesView';

export default function InvoicesPage() {
  return <InvoicesView />;
}
