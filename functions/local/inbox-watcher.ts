import {
  closeSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  watch,
  writeFileSync,
  type FSWatcher,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** Where files go once their documents have an outcome; never uploaded again. */
const OUTCOME_FOLDERS = ['done', 'failed'];
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Uploads the files of a folder to the inbox bucket: those new or changed since the last run
 * at start, then each new file as it appears (once its size has settled). The key is the
 * file's path inside the folder. What was uploaded is remembered in `stateFile`.
 */
export class InboxWatcher {
  private watcher: FSWatcher | null = null;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly uploaded: Record<string, string>;

  constructor(
    private readonly folder: string,
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly stateFile: string,
    private readonly onUpload: (key: string) => void = () => undefined,
    /** Told of each entry skipped: symlinks, FIFOs, sockets and devices are never read. */
    private readonly onSkip: (name: string, why: string) => void = () => undefined,
  ) {
    this.uploaded = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, string>) : {};
  }

  /** Uploads what is new, then watches. */
  async start(): Promise<void> {
    for (const file of this.files(this.folder)) await this.upload(file);
    this.watcher = watch(this.folder, { recursive: true }, (_, name) => {
      if (!name || OUTCOME_FOLDERS.some((folder) => name.toString().split(sep)[0] === folder)) return;
      const file = join(this.folder, name.toString());
      clearTimeout(this.timers.get(file));
      // Files are written in pieces; upload once the size has stopped changing.
      this.timers.set(
        file,
        setTimeout(() => void this.settle(file, -1), 300),
      );
    });
  }

  /**
   * Moves an uploaded file out of the way once its document has an outcome: to `done/` (read,
   * or a duplicate of one read) or `failed/` (unreadable, not an IMR letter, dead-lettered),
   * keeping its path, so the folder shows at a glance what still waits.
   */
  settled(key: string, outcome: 'done' | 'failed'): void {
    if (!(key in this.uploaded)) return;
    const file = join(this.folder, ...key.split('/'));
    delete this.uploaded[key];
    writeFileSync(this.stateFile, JSON.stringify(this.uploaded), { mode: 0o600 });
    try {
      if (!lstatSync(file).isFile()) return;
      const target = join(this.folder, outcome, ...key.split('/'));
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      renameSync(file, target);
    } catch {
      // Removed or replaced by its owner meanwhile: nothing to move.
    }
  }

  stop(): void {
    this.watcher?.close();
    for (const timer of this.timers.values()) clearTimeout(timer);
  }

  private async settle(file: string, lastSize: number): Promise<void> {
    if (!existsSync(file)) return;
    // lstat, not stat: a symlink is never followed (its target could be any file this user can read).
    const info = lstatSync(file);
    if (!info.isFile()) {
      if (!info.isDirectory()) this.onSkip(relative(this.folder, file), info.isSymbolicLink() ? 'a symbolic link' : 'not a regular file');
      return;
    }
    const size = info.size;
    if (size !== lastSize) {
      this.timers.set(
        file,
        setTimeout(() => void this.settle(file, size), 300),
      );
      return;
    }
    await this.upload(file).catch(() => undefined);
  }

  private files(folder: string): string[] {
    if (!existsSync(folder)) return [];
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => !entry.name.startsWith('.') && !(folder === this.folder && OUTCOME_FOLDERS.includes(entry.name)))
      .flatMap((entry) => {
        if (entry.isDirectory()) return this.files(join(folder, entry.name));
        if (entry.isFile()) return [join(folder, entry.name)];
        this.onSkip(relative(this.folder, join(folder, entry.name)), entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file');
        return [];
      });
  }

  private async upload(file: string): Promise<void> {
    const key = relative(this.folder, file).split(sep).join('/');
    if (key.split('/').some((part) => part.startsWith('.'))) return;
    const stat = lstatSync(file);
    if (!stat.isFile()) return;
    const version = `${stat.size}:${stat.mtimeMs}`;
    if (this.uploaded[key] === version) return;
    // O_NOFOLLOW: a file swapped for a symlink after the check above is refused, not followed.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    let body: Buffer;
    try {
      body = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body }));
    this.uploaded[key] = version;
    writeFileSync(this.stateFile, JSON.stringify(this.uploaded), { mode: 0o600 });
    this.onUpload(key);
  }
}
