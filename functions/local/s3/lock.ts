import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DirectoryInUseError } from './errors.ts';
import { isProcessRunning } from '../../common/process-running.ts';

/**
 * One endpoint per folder: a second one's start-up recovery would remove the first one's
 * uploads in progress as leftovers. The lock file holds the owner's process id; one left by a
 * process that no longer runs (`kill -9`) is taken over.
 */

/** Folders this process holds: the lock file alone cannot say, since a restarted container reuses the same pid. */
const held = new Set<string>();

/** Takes the folder's lock; returns its release. */
export function lockDirectory(directory: string): () => void {
  const file = join(directory, 'endpoint.pid');
  if (held.has(file)) throw new DirectoryInUseError(directory, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // The pid and its start time: after a kill -9 and a restart (a container, a reboot) another process may have the same pid.
      writeFileSync(file, `${process.pid} ${startTime(process.pid) ?? ''}\n`, { flag: 'wx', mode: 0o600 });
      held.add(file);
      return () => {
        held.delete(file);
        rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const [pidText, started] = readFileSync(file, 'utf8').trim().split(' ');
    const owner = Number.parseInt(pidText ?? '', 10);
    const sameProcess = Number.isInteger(owner) && owner > 0 && owner !== process.pid && isProcessRunning(owner) && (!started || startTime(owner) === started);
    if (sameProcess) throw new DirectoryInUseError(directory, owner);
    // Left by a process that is gone (or unreadable after a crash mid-write): taken over.
    rmSync(file, { force: true });
  }
  throw new DirectoryInUseError(directory, Number.NaN);
}

/** When a process started (clock ticks since boot, from Linux's /proc), or null where that cannot be read. */
function startTime(pid: number): string | null {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return null;
  try {
    // Field 22, counted after the command name's closing bracket (the name may hold spaces).
    const fields = readFileSync(stat, 'utf8').split(') ')[1]?.split(' ');
    return fields?.[19] ?? null;
  } catch {
    return null;
  }
}
