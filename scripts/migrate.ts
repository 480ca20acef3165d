import { migrate } from '@/clickhouse/migrate';
import { closeStore, embeddedPath, storeMode } from '@/lib/store';

const n = await migrate();
console.log(`migrations: ${n} applied (${storeMode() === 'embedded' ? embeddedPath() : 'ClickHouse server'})`);
await closeStore();
