import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { EventPublisher, ServiceEvent } from '../service/ports.ts';

/**
 * The documents whose reading was announced, one id a line, appended and synced after the
 * event is published (for webhooks: once its deliveries are in the outbox). A crash between
 * storing a reading and announcing it leaves the id out, and the next start announces it:
 * every reading is announced at least once. Kept whether or not webhooks are on, so turning
 * them on later does not announce every letter already read.
 */
export class AnnouncementJournal implements EventPublisher {
  private readonly announced: Set<string>;

  constructor(
    private readonly file: string,
    private readonly next: EventPublisher,
  ) {
    // A line cut short by a crash is not a 64-character id, and is ignored: that letter is announced again.
    this.announced = new Set(existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => /^[0-9a-f]{64}$/.test(line)) : []);
  }

  /** Whether a document's reading was announced. */
  has(documentId: string): boolean {
    return this.announced.has(documentId);
  }

  async publish(event: ServiceEvent): Promise<void> {
    await this.next.publish(event);
    // A person's correction is announced on its own; the journal is about readings.
    if (event.type === 'determination.reviewed' || this.announced.has(event.data.id)) return;
    const fd = openSync(this.file, 'a', 0o600);
    try {
      writeSync(fd, `${event.data.id}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.announced.add(event.data.id);
  }
}
