/** Process-wide readiness, shared between instrumentation and route bundles via globalThis. */
interface ServerState {
  ready: boolean;
  startup?: Promise<void>;
}
const KEY = Symbol.for('sync-control-tower.server-state');
const g = globalThis as typeof globalThis & { [KEY]?: ServerState };
export const serverState = (): ServerState => (g[KEY] ??= { ready: false });
