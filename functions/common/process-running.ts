/**
 * Whether a process with this id runs (signal 0 tests without sending anything); one running as
 * another user counts as running (EPERM): whatever it holds is not ours to take or remove.
 */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
