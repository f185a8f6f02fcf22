import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DirectoryInUseError } from './errors.ts';

/**
 * One endpoint per folder: a second one's start-up recovery would remove the first one's
 * uploads in progress as leftovers. The lock file holds the owner's process id; one left by a
 * process that no longer runs (`kill -9`) is taken over.
 */

/** Takes the folder's lock; returns its release. */
export function lockDirectory(directory: string): () => void {
  const file = join(directory, 'endpoint.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && running(owner)) throw new DirectoryInUseError(directory, owner);
    if (owner === process.pid) throw new DirectoryInUseError(directory, owner);
    // Left by a process that is gone (or unreadable after a crash mid-write): taken over.
    rmSync(file, { force: true });
  }
  throw new DirectoryInUseError(directory, Number.NaN);
}

/** Whether a process with this id runs (signal 0 tests without sending anything). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
