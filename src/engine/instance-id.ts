/**
 * The name of this Habla process in the calls table. It must survive a restart (so the
 * restarted process recognises its own orphaned calls) and differ between processes sharing
 * one database: configured, or generated once into the data directory.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function resolveInstanceId(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'instance-id');
  try {
    const stored = fs.readFileSync(file, 'utf8').trim();
    if (stored) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const generated = randomUUID();
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${generated}\n`, { mode: 0o600 });
  return generated;
}
