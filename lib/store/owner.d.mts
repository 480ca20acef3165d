export type StoreOwner = 'owned' | 'free' | 'unknown';
export declare const STORE_LOCK_WAIT_MS: number;
export declare function storeOwner(storeDir: string): StoreOwner;
export declare function waitForStore(storeDir: string, waitMs?: number, onWait?: () => void): Promise<StoreOwner>;
