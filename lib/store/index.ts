export { QUERY_GUARDS } from './guards';
export { getClient, acquireStore, closeStore, isStoreOpen, storeMode, embeddedPath } from './client';
export { query, command, insertRows, mapStoreError, type InsertTable, type QueryOptions } from './query';
export { sql, join, empty, unsafeRaw, p, render, chTime, Sql, Param, type ChType, type SqlValue } from './sql';
