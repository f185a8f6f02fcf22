import { S3ObjectStore } from '../adapters/s3/object-store.ts';
import type { StoredReading } from '../service/ports.ts';

/** Most texts held for the indexer at once, and most characters: a burst of long letters holds tens of MB at most. */
const MOST_TEXTS = 1_000;
const MOST_CHARACTERS = 32 * 1024 * 1024;
/**
 * Longest a text is held: the indexer takes a letter's a moment after its commit. A document that
 * is never indexed (a file of several letters, one not an IMR letter) leaves its text here until then.
 */
const HOLD_MS = 5 * 60 * 1000;

/**
 * The local text bucket's adapter, which also keeps the text of each reading it just wrote until
 * the search indexer takes it ({@link takeText}): the indexer then reads nothing back from the S3
 * endpoint (a request through the SDK and the endpoint, and a parse of the whole reading, for
 * every letter). Bounded (the oldest go first); what is not held is read from the bucket as before,
 * so a restart or a long backlog only costs the read. A text is handed over within five minutes
 * of its writing or not at all (one older is let go at the next write, and read from the bucket if
 * asked for); a document's derived objects removed take its held text with them.
 */
export class HandingObjectStore extends S3ObjectStore {
  private readonly held = new Map<string, { readonly text: string; readonly at: number }>();
  private characters = 0;

  constructor(
    textBucket: string,
    client?: import('@aws-sdk/client-s3').S3Client,
    private readonly now: () => number = Date.now,
  ) {
    super(textBucket, client);
  }

  override async putReading(documentId: string, reading: StoredReading): Promise<void> {
    this.drop(documentId);
    await super.putReading(documentId, reading);
    // Dropped again: the same id written twice at once (a lease taken over) holds one text, counted once.
    this.drop(documentId);
    const at = this.now();
    this.held.set(documentId, { text: reading.text, at });
    this.characters += reading.text.length;
    // Oldest first (a Map keeps the order texts were set in).
    for (const [id, entry] of this.held) {
      if (this.held.size <= MOST_TEXTS && this.characters <= MOST_CHARACTERS && at - entry.at <= HOLD_MS) break;
      this.drop(id);
    }
  }

  override async removeDerived(documentId: string): Promise<number> {
    this.drop(documentId);
    return super.removeDerived(documentId);
  }

  /** The text of `documentId`'s reading: the one just written, once, or else the stored one. */
  async takeText(documentId: string): Promise<string | null> {
    const entry = this.held.get(documentId);
    this.drop(documentId);
    // One held past its time is read from the bucket, like one never held.
    if (entry === undefined || this.now() - entry.at > HOLD_MS) return this.getText(documentId);
    return entry.text;
  }

  /** How many texts are held (for tests). */
  get heldCount(): number {
    return this.held.size;
  }

  private drop(documentId: string): void {
    const entry = this.held.get(documentId);
    if (entry === undefined) return;
    this.held.delete(documentId);
    this.characters -= entry.text.length;
  }
}
