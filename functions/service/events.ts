import { asOf, receivedOnOf } from '../domain/index.ts';
import { fileNamesOf } from '../common/source-keys.ts';
import type { DocumentRecord, EventPublisher, ServiceEvent, StoredDetermination } from './ports.ts';

/**
 * The event announcing a stored Determination (spec section 4), with what an integrator
 * diaries and files by: the keys and file names that delivered it, the day of receipt, the
 * letter's date and the deadlines; and what a person must look at: flags, warnings, the reason
 * a document is not a letter.
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
      items: (classified?.items ?? []).map(({ request, decision, category, subcategory, flags }, index) => ({
        number: index + 1,
        index,
        request,
        decision,
        category,
        subcategory,
        flags,
      })),
      sourceKeys: stored.sourceKeys,
      fileNames: fileNamesOf(stored.sourceKeys),
      receivedOn: stored.receivedOn,
      decisionDate: classified?.dates.decision ?? null,
      // As of the event's own time: a letter re-announced after a day passed says that day is overdue.
      deadlines: asOf(stored.deadlines, receivedOnOf(timestamp)),
      flags: classified?.flags ?? [],
      warnings: classified?.warnings ?? [],
      reason: stored.status === 'UNRECOGNIZED' ? stored.reason : null,
      ...(stored.pages ? { pages: stored.pages } : {}),
      ...(stored.sourceDocument ? { sourceDocument: stored.sourceDocument } : {}),
      links: { self: `/determinations/${stored.id}` },
    },
  };
}

/** The event announcing a document that could not be read, with the keys that delivered it and why. */
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
      fileNames: fileNamesOf(document?.sourceKeys ?? []),
      receivedOn: null,
      decisionDate: null,
      deadlines: [],
      flags: [],
      warnings: [],
      reason: document?.reason ?? null,
      links: { self: `/documents/${id}/status` },
    },
  };
}

/**
 * An event whose links are absolute URLs under the service's public address (`base`, where its
 * API and console are served), so a case system can follow them as they come; for a letter, the
 * console page a person checks it on is added. Without a public address, links stay the API's
 * paths (spec section 4).
 */
export function withPublicLinks(event: ServiceEvent, base: string): ServiceEvent {
  // A validated base has no path but `/` (so at most that one slash to drop).
  const root = base.endsWith('/') ? base.slice(0, -1) : base;
  const isLetter = event.type !== 'document.failed';
  return {
    ...event,
    data: {
      ...event.data,
      links: { self: `${root}${event.data.links.self}`, ...(isLetter ? { console: `${root}/#/letters/${event.data.id}` } : {}) },
    },
  };
}

/** An {@link EventPublisher} that gives every event it passes on its absolute links ({@link withPublicLinks}). */
export class PublicLinksPublisher implements EventPublisher {
  constructor(
    private readonly next: EventPublisher,
    private readonly base: string,
  ) {}

  publish(event: ServiceEvent): Promise<void> {
    return this.next.publish(withPublicLinks(event, this.base));
  }
}
