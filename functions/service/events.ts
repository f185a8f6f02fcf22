import { asOf, receivedOnOf } from '../domain/index.ts';
import type { DocumentRecord, ServiceEvent, StoredDetermination } from './ports.ts';

/**
 * The event announcing a stored Determination (spec section 4), with what an integrator
 * diaries and files by: the keys that delivered it, the day of receipt and the deadlines.
 */
export function determinationEvent(stored: StoredDetermination, timestamp: string): ServiceEvent {
  const classified = stored.status === 'CLASSIFIED' ? stored : null;
  // As stored: flags, or deadlines from a doubtful day of receipt, unless a person confirmed it.
  const review = stored.needsReview;
  return {
    type: classified ? (review ? 'determination.needs_review' : 'determination.classified') : 'determination.unrecognized',
    timestamp,
    data: {
      id: stored.id,
      caseNumber: classified?.caseNumber ?? null,
      outcome: classified?.outcome ?? null,
      needsReview: review,
      items: (classified?.items ?? []).map(({ request, decision, category, subcategory }) => ({ request, decision, category, subcategory })),
      sourceKeys: stored.sourceKeys,
      receivedOn: stored.receivedOn,
      // As of the event's own time: a letter re-announced after a day passed says that day is overdue.
      deadlines: asOf(stored.deadlines, receivedOnOf(timestamp)),
      links: { self: `/determinations/${stored.id}` },
    },
  };
}

/** The event announcing a document that could not be read, with the keys that delivered it. */
export function failureEvent(id: string, document: DocumentRecord | null, timestamp: string): ServiceEvent {
  return {
    type: 'document.failed',
    timestamp,
    data: {
      id,
      caseNumber: null,
      outcome: null,
      needsReview: false,
      items: [],
      sourceKeys: document?.sourceKeys ?? [],
      receivedOn: null,
      deadlines: [],
      links: { self: `/documents/${id}/status` },
    },
  };
}
