'use client';
import { AlertsView } from '@/components/alerts/AlertsView';

export default function AlertsPage() {
  return <AlertsView />;
}
