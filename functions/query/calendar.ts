import ical from 'ical-generator';
import type { StoredDetermination } from '../service/ports.ts';
import { fileNameOf } from '../common/source-keys.ts';

const TITLES = { AUTHORIZE: 'Authorize', REIMBURSE: 'Reimburse', APPEAL: 'Appeal deadline' } as const;

/**
 * The deadlines of letters as an RFC 5545 calendar (`GET /deadlines.ics`): one all-day event
 * per deadline, its UID stable (document id and kind) and its SEQUENCE the letter's revision,
 * so a calendar that subscribed updates an event when a person corrects the letter. Events
 * carry the case, the file and the rule; the requests are listed so the diary says what to do.
 */
export function deadlinesCalendar(
  letters: readonly StoredDetermination[],
  range: { dueAfter?: string | undefined; dueBefore?: string | undefined; truncatedAt: number | null },
  baseUrl: string,
): string {
  const calendar = ical({
    name: 'IMR deadlines',
    prodId: { company: 'imr-letters', product: 'deadlines', language: 'EN' },
    description: range.truncatedAt
      ? `Only the newest ${range.truncatedAt} letters: older letters' deadlines are not in this feed; ask for fewer with dueBefore.`
      : 'Every deadline of every letter read.',
  });
  for (const letter of letters) {
    if (letter.status !== 'CLASSIFIED') continue;
    const file = letter.sourceKeys[0] ? fileNameOf(letter.sourceKeys[0]) : letter.id.slice(0, 12);
    for (const deadline of letter.deadlines) {
      if ((range.dueAfter && deadline.due < range.dueAfter) || (range.dueBefore && deadline.due > range.dueBefore)) continue;
      const covered = deadline.items.length ? deadline.items : letter.items.map((_, index) => index);
      calendar.createEvent({
        id: `${letter.id}-${deadline.kind}@imr-letters`,
        sequence: letter.revision,
        stamp: new Date(letter.reviewedAt ?? letter.receivedAt),
        start: new Date(`${deadline.due}T00:00:00Z`),
        allDay: true,
        summary: `${TITLES[deadline.kind]}: ${letter.caseNumber ?? file} (${covered.length} item${covered.length === 1 ? '' : 's'})`,
        description: [
          `${deadline.rule}: ${deadline.basis}.`,
          `Runs from ${deadline.from}. File: ${file}. Case: ${letter.caseNumber ?? 'not read'}.`,
          ...(deadline.services
            ? deadline.services.map((service) => `- ${service}`)
            : covered.map((index) => `- ${letter.items[index]!.request} (${letter.items[index]!.decision.toLowerCase()})`)),
        ].join('\n'),
        url: `${baseUrl}/determinations/${letter.id}`,
      });
    }
  }
  return calendar.toString();
}
