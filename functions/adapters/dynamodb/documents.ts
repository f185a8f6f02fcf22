import type { Determination } from '../../domain/index.ts';
import type { DocumentRecord, DocumentStatus, StoredDetermination } from '../../service/ports.ts';
import { deadlineView, rationaleConclusions } from '../../domain/index.ts';

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
  };
}

/** The stored Determination of a document item, or null before it is read. */
export function toStored(item: DocumentItem): StoredDetermination | null {
  if (!item.determination) return null;
  const determination = JSON.parse(item.determination) as Determination;
  const { receivedOn, deadlines } = deadlineView(determination, item.receivedAt, item.receivedOn, Boolean(item.reviewedBy));
  return {
    ...determination,
    receivedOn,
    deadlines,
    conclusions: item.conclusions ? (JSON.parse(item.conclusions) as StoredDetermination['conclusions']) : rationaleConclusions(determination),
    id: item.id,
    receivedAt: item.receivedAt,
    needsReview: item.needsReview ?? false,
    sourceKeys: [...(item.sourceKeys ?? [])].sort(),
    revision: item.revision ?? 1,
    ...(item.reviewedBy && item.reviewedAt ? { reviewedBy: item.reviewedBy, reviewedAt: item.reviewedAt } : {}),
    ...(item.sameLetterAs ? { sameLetterAs: item.sameLetterAs } : {}),
  };
}
