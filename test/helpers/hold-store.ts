import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CHDB = path.join(ROOT, 'node_modules', 'chdb', 'dist', 'connection', 'index.js');

/**
 * Another process that opens the embedded store under `dataDir` and keeps it open until killed: it holds
 * the engine's own lock, which is what decides ownership (lib/store/owner.mjs).
 */
export async function holdStore(dataDir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-e', `require(${JSON.stringify(CHDB)}).createChdbConnection({ path: process.argv[1] }); console.log('open'); setInterval(() => {}, 1000);`, path.join(dataDir, 'chdb')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('open') && resolve());
    child.once('exit', (code) => reject(new Error(`the holder exited (${code}) before opening the store`)));
  });
  return child;
}
