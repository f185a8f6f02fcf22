import type { StoredDetermination } from '../service/ports.ts';
import { fileNameOf } from '../common/source-keys.ts';

const TITLES = { AUTHORIZE: 'Authorize', REIMBURSE: 'Reimburse', APPEAL: 'Appeal deadline' } as const;

/** Which deadlines a feed holds: due on or after `dueAfter`, on or before `dueBefore`. */
export interface CalendarRange {
  readonly dueAfter?: string | undefined;
  readonly dueBefore?: string | undefined;
}

/*
 * Written here rather than by ical-generator: its version 10 (the last that runs on Node 20)
 * folds lines by encoding each character with a new TextEncoder, which took 80% of a feed's
 * CPU (5.9 s for 5,000 letters, in one block of the event loop); version 11 fixed it but needs
 * Node 22. What a feed needs of RFC 5545 is small: TEXT escaping (3.3.11), folding (3.1), and
 * the properties below. Tests read it back with ical.js, an independent parser.
 */

/** RFC 5545 3.3.11: backslash, semicolon and comma escaped, a line break as `\n`; other control characters (not allowed in TEXT) as a space. */
function text(value: string): string {
  return (
    value
      .replace(/[\\;,]/g, (character) => `\\${character}`)
      .replace(/\r\n|\r|\n/g, '\\n')
      // eslint-disable-next-line no-control-regex -- the control characters RFC 5545 TEXT does not allow are what this removes
      .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ' ')
  );
}

/** Most octets of a content line, its line break not counted (RFC 5545 3.1). */
const LINE_OCTETS = 75;

/**
 * A content line folded as RFC 5545 3.1 asks: no physical line longer than 75 octets, a
 * continuation starting with one space, and never inside a character's UTF-8 bytes.
 */
export function contentLine(content: string): string {
  // Most lines are short and printable ASCII: their length in characters is their length in octets.
  if (content.length <= LINE_OCTETS && !/[^\t\x20-\x7e]/.test(content)) return `${content}\r\n`;
  let folded = '';
  let start = 0;
  // The first physical line holds 75 octets; a continuation 74 after its leading space.
  let room = LINE_OCTETS;
  let octets = 0;
  for (let at = 0; at < content.length;) {
    const code = content.codePointAt(at)!;
    // A lone surrogate is written as U+FFFD: three octets.
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (octets + size > room) {
      folded += `${content.slice(start, at)}\r\n `;
      start = at;
      octets = 0;
      room = LINE_OCTETS - 1;
    }
    octets += size;
    at += code > 0xffff ? 2 : 1;
  }
  return `${folded}${content.slice(start)}\r\n`;
}

/** A UTC time as RFC 5545 3.3.5 writes it (`20260105T180000Z`). */
function utcTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/**
 * The events of some letters' deadlines (`VEVENT`s, RFC 5545 3.6.1), written a page of letters
 * at a time so that a large feed is never one block of the event loop: one all-day event per
 * deadline, its UID stable (document id and kind) and its SEQUENCE the letter's revision, so a
 * calendar that subscribed updates an event when a person corrects the letter. Events carry
 * the case, the file and the rule; the requests are listed so the diary says what to do. An
 * event of a letter that needs review, or of a day with a caution, says "To check" and why.
 */
export function deadlineEvents(letters: readonly StoredDetermination[], range: CalendarRange, baseUrl: string): string {
  let events = '';
  for (const letter of letters) {
    if (letter.status !== 'CLASSIFIED') continue;
    const file = letter.sourceKeys[0] ? fileNameOf(letter.sourceKeys[0]) : letter.id.slice(0, 12);
    for (const deadline of letter.deadlines) {
      if ((range.dueAfter && deadline.due < range.dueAfter) || (range.dueBefore && deadline.due > range.dueBefore)) continue;
      const covered = deadline.items.length ? deadline.items : letter.items.map((_, index) => index);
      // An unsure day is never diaried as a sure one: a letter a person has yet to check, or a day
      // counted from a receipt that may be late, says so where the diary shows it.
      const unsure = letter.needsReview || deadline.caution !== undefined;
      const description = [
        ...(deadline.caution ? [`Caution: ${deadline.caution}.`] : []),
        ...(letter.needsReview ? ['This letter needs a person to check its reading before this day is relied on.'] : []),
        `${deadline.rule}: ${deadline.basis}.`,
        `Runs from ${deadline.from}. File: ${file}. Case: ${letter.caseNumber ?? 'not read'}.`,
        ...(deadline.services
          ? deadline.services.map((service) => `- ${service}`)
          : covered.map((index) => `- ${letter.items[index]!.request} (${letter.items[index]!.decision.toLowerCase()})`)),
      ].join('\n');
      events +=
        'BEGIN:VEVENT\r\n' +
        contentLine(`UID:${text(`${letter.id}-${deadline.kind}@imr-letters`)}`) +
        `SEQUENCE:${letter.revision}\r\n` +
        `DTSTAMP:${utcTime(letter.reviewedAt ?? letter.receivedAt)}\r\n` +
        `DTSTART;VALUE=DATE:${deadline.due.replace(/-/g, '')}\r\n` +
        // Outlook's own words for an all-day event, beside the date value that says it to everyone else.
        'X-MICROSOFT-CDO-ALLDAYEVENT:TRUE\r\n' +
        'X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT:TRUE\r\n' +
        contentLine(
          `SUMMARY:${text(`${unsure ? 'To check: ' : ''}${TITLES[deadline.kind]}: ${letter.caseNumber ?? file} (${covered.length} item${covered.length === 1 ? '' : 's'})`)}`,
        ) +
        contentLine(`DESCRIPTION:${text(description)}`) +
        contentLine(`URL;VALUE=URI:${baseUrl}/determinations/${letter.id}`) +
        'END:VEVENT\r\n';
    }
  }
  return events;
}

/**
 * The feed (`GET /deadlines.ics`): an RFC 5545 calendar around the events of
 * {@link deadlineEvents}; one that stopped short of every letter says so in its description.
 */
export function deadlinesCalendar(events: readonly string[], truncatedAt: number | null): string {
  const description = truncatedAt
    ? `Only the newest ${truncatedAt} letters: older letters' deadlines are not in this feed; ask for fewer with dueBefore.`
    : 'Every deadline of every letter read.';
  return (
    'BEGIN:VCALENDAR\r\n' +
    'VERSION:2.0\r\n' +
    'PRODID:-//imr-letters//deadlines//EN\r\n' +
    // NAME is RFC 7986's; X-WR-CALNAME and X-WR-CALDESC are what Outlook and Google Calendar read.
    'NAME:IMR deadlines\r\n' +
    'X-WR-CALNAME:IMR deadlines\r\n' +
    contentLine(`X-WR-CALDESC:${text(description)}`) +
    events.join('') +
    'END:VCALENDAR\r\n'
  );
}
