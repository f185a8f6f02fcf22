import type { Determination } from '../domain/index.ts';
import type { ServiceEvent } from './ports.ts';

/** Whether a person should look at a Determination: any flag, on an item or the letter. */
export function needsReview(determination: Determination): boolean {
  return determination.status === 'CLASSIFIED' && determination.flags.length > 0;
}

/** The event announcing a Determination (spec section 4). */
export function determinationEvent(id: string, determination: Determination, timestamp: string): ServiceEvent {
  const classified = determination.status === 'CLASSIFIED' ? determination : null;
  const review = needsReview(determination);
  return {
    type: classified ? (review ? 'determination.needs_review' : 'determination.classified') : 'determination.unrecognized',
    timestamp,
    data: {
      id,
      caseNumber: classified?.caseNumber ?? null,
      outcome: classified?.outcome ?? null,
      needsReview: review,
      items: (classified?.items ?? []).map(({ request, decision, category, subcategory }) => ({ request, decision, category, subcategory })),
      links: { self: `/determinations/${id}` },
    },
  };
}

/** The event announcing a document that could not be read. */
export function failureEvent(id: string, timestamp: string): ServiceEvent {
  return { type: 'document.failed', timestamp, data: { id, caseNumber: null, outcome: null, needsReview: false, items: [], links: { self: `/documents/${id}/status` } } };
}
