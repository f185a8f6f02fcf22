import { appendFileSync, closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import type { EventPublisher, ServiceEvent } from '../service/ports.ts';

/** What was announced of a document: its reading (classified, needs review, unrecognized) or its failure. */
export type Announced = 'read' | 'failed';

/**
 * The documents whose outcome was announced, one `<id> <read|failed>` a line, appended
 * after the event is published (for webhooks: once its deliveries are in the outbox).
 * A crash between storing an outcome and announcing it leaves the line out, and the next start
 * announces it: every outcome is announced at least once, a retried document's new reading
 * included (its failure was another line). Kept whether or not webhooks are on, so turning
 * them on later does not announce every letter already read; a data folder from before the
 * journal existed starts it from what is stored (`fresh`), announcing nothing again.
 */
export class AnnouncementJournal implements EventPublisher {
  private readonly announced: Set<string>;
  /** True on a data folder that held letters before the journal existed: what is stored then counts as announced. */
  readonly fresh: boolean;

  constructor(
    private readonly file: string,
    private readonly next: EventPublisher,
    /** Whether the data folder was in use before (its store existed) when this start began. */
    folderInUseBefore: boolean,
  ) {
    // Only a folder from before the journal: a journal not yet written on a new folder (killed before its first
    // announcement) must not make the next start take unannounced readings as announced.
    this.fresh = folderInUseBefore && !existsSync(file);
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
    // A line cut short by a crash matches no id and outcome, and that outcome is announced again.
    this.announced = new Set(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /^[0-9a-f]{64} (?:read|failed)$/.test(line)),
    );
  }

  /** Whether a document's outcome of this kind was announced. */
  has(documentId: string, kind: Announced): boolean {
    return this.announced.has(`${documentId} ${kind}`);
  }

  /** Records an outcome as announced without announcing it (a journal started on a folder of earlier letters). */
  remember(documentId: string, kind: Announced): void {
    this.append(`${documentId} ${kind}`);
  }

  async publish(event: ServiceEvent): Promise<void> {
    await this.next.publish(event);
    // A person's correction is announced on its own; the journal is about outcomes of reading.
    if (event.type === 'determination.reviewed') return;
    this.append(`${event.data.id} ${event.type === 'document.failed' ? 'failed' : 'read'}`);
  }

  private append(line: string): void {
    if (this.announced.has(line)) return;
    // Appended, not synced: a line a power cut loses makes the next start announce that outcome
    // again, which the at-least-once promise already allows (an event's id lets a receiver drop
    // it); a crash of the process loses nothing the system has been given. A sync per letter was
    // the service's costliest step after the S3 endpoint's own.
    appendFileSync(this.file, `${line}\n`, { mode: 0o600 });
    this.announced.add(line);
  }
}
