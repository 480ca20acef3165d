'use client';
import { usePathname } from 'next/navigation';
import { WarehouseView } from '@/components/warehouse/WarehouseView';

/** Decoded once from the path as linked, like the correlation page. */
function warehouseFromPath(pathname: string): string {
  const raw = pathname.replace(/^\/w\//, '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export default function WarehousePage() {
  const warehouse = warehouseFromPath(usePathname());
  return <WarehouseView key={warehouse} warehouse={warehouse} />;
}
