import type { Determination } from '../../domain/index.ts';
import {
  storedAnswer,
  type DocumentRecord,
  type DocumentSource,
  type DocumentSplitRecord,
  type DocumentStatus,
  type StoredDetermination,
} from '../../service/ports.ts';

/** A document's record in the table (`pk = DOC#<id>`, `sk = DOC`). */
export interface DocumentItem {
  id: string;
  status: DocumentStatus;
  reason?: string;
  receivedAt: string;
  updatedAt: string;
  sourceKeys?: Set<string>;
  determination?: string;
  needsReview?: boolean;
  revision?: number;
  /** A person corrected the reading: re-readings leave it alone. */
  corrected?: boolean;
  reviewedBy?: string;
  reviewedAt?: string;
  /** The day of receipt a person set. */
  receivedOn?: string;
  /** The earliest deadline's day, kept for `dueBefore` filters. */
  earliestDue?: string;
  /** The earlier document of the same letter. */
  sameLetterAs?: string;
  /** Textract's job, while OCR_PENDING. */
  textractJobId?: string;
  /** Each item's rationale conclusion (JSON), as worked out when the reading was saved. */
  conclusions?: string;
  /** When SPLIT: the letters it held and the pages set aside (JSON). */
  split?: string;
  /** How and when it came (JSON). */
  source?: string;
}

/** The processing record of a document item. */
export function toRecord(item: DocumentItem): DocumentRecord {
  return {
    id: item.id,
    status: item.status,
    reason: item.reason ?? null,
    receivedAt: item.receivedAt,
    updatedAt: item.updatedAt,
    sourceKeys: [...(item.sourceKeys ?? [])].sort(),
    ...(item.status === 'OCR_PENDING' && item.textractJobId ? { ocrJobId: item.textractJobId } : {}),
    ...(item.split ? { split: JSON.parse(item.split) as DocumentSplitRecord } : {}),
    ...(item.source ? { source: JSON.parse(item.source) as DocumentSource } : {}),
  };
}

/** The stored Determination of a document item, or null before it is read. */
export function toStored(item: DocumentItem): StoredDetermination | null {
  if (!item.determination) return null;
  return storedAnswer({
    ...item,
    determination: JSON.parse(item.determination) as Determination,
    sourceKeys: item.sourceKeys ?? [],
    conclusions: item.conclusions ? (JSON.parse(item.conclusions) as StoredDetermination['conclusions']) : undefined,
  });
}
