export { QUERY_GUARDS } from './guards';
export { getClient, acquireStore, closeStore, isStoreOpen, storeMode, embeddedPath } from './client';
export { query, command, insertRows, insertJsonLines, mapStoreError, withStatementMemo, type InsertTable, type QueryOptions, type StatementOptions } from './query';
export { withLane, storeScheduler, type Lane } from './scheduler';
export { sql, join, empty, unsafeRaw, p, render, chTime, Sql, Param, type ChType, type SqlValue } from './sql';
