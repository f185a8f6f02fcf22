/**
 * The deadline feed as a calendar program reads it: RFC 5545 text read back by ical.js (an
 * independent parser), every physical line within 75 octets, and nothing of a letter's text
 * lost or mangled by escaping or folding.
 */
import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { classifyLetter, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { contentLine, deadlineEvents, deadlinesCalendar } from '../../../functions/query/calendar.ts';
import type { StoredDetermination } from '../../../functions/service/ports.ts';
import { letterText, storedDetermination } from '../../fixtures/factories.ts';

const BASE = 'http://127.0.0.1:3000';

/** A stored letter whose requests are `requests`, all overturned (so each has AUTHORIZE and REIMBURSE deadlines). */
function letterWith(id: string, requests: string[], overrides: { revision?: number; reviewedAt?: string } = {}) {
  const read = classifyLetter(
    letterText({ preamble: ['Case Number: CM15-0000123', ''], items: requests.map((request) => ({ request, decision: 'Overturned' as const })) }),
  ) as ClassifiedDetermination;
  expect(read.status).toBe('CLASSIFIED');
  return storedDetermination(read, { id: id.repeat(64), receivedAt: '2026-01-05T18:00:00.000Z', ...overrides }) as StoredDetermination &
    ClassifiedDetermination;
}

/** The feed's events as ical.js reads them. */
function eventsOf(feed: string) {
  return new ICAL.Component(ICAL.parse(feed)).getAllSubcomponents('vevent').map((vevent) => new ICAL.Event(vevent));
}

/** Every physical line of `feed`: each ends in CRLF and holds at most 75 octets. */
function physicalLines(feed: string): string[] {
  expect(feed.endsWith('\r\n')).toBe(true);
  const lines = feed.slice(0, -2).split('\r\n');
  expect(lines.filter((line) => line.includes('\n') || line.includes('\r'))).toEqual([]);
  return lines;
}

describe('the deadline calendar (GET /deadlines.ics)', () => {
  it('writes one all-day event per deadline that ical.js reads back with the letter text whole: escapes, characters of 2 to 4 bytes, a control character', () => {
    const request = 'Acupuncture; 6 visits, left "knee" \\ right, Dr. Müller ½ hour 🙂 日本語';
    const read = letterWith('a', [request, 'Norco 10/325mg #60'], { revision: 3, reviewedAt: '2026-01-07T09:30:15.250Z' });
    expect(read.items[0]!.request).toBe(request);
    // A bell in what is to be authorized (the engine drops control characters; a stored letter is not trusted to).
    const letter = {
      ...read,
      deadlines: read.deadlines.map((deadline) => ({ ...deadline, services: deadline.services?.map((service) => `${service} \u0007bell`) })),
    };
    const feed = deadlinesCalendar([deadlineEvents([letter], {}, BASE)], null);
    const events = eventsOf(feed);
    expect(events.map((event) => event.uid)).toEqual(letter.deadlines.map((deadline) => `${letter.id}-${deadline.kind}@imr-letters`));
    const authorize = events[0]!;
    expect(authorize.startDate.isDate).toBe(true);
    expect(authorize.startDate.toString()).toBe(letter.deadlines[0]!.due);
    expect(authorize.sequence).toBe(3);
    expect(authorize.component.getFirstPropertyValue('dtstamp')!.toString()).toBe('2026-01-07T09:30:15Z');
    expect(authorize.summary).toBe('Authorize: CM15-0000123 (2 items)');
    expect(String(authorize.component.getFirstPropertyValue('url'))).toBe(`${BASE}/determinations/${letter.id}`);
    const services = letter.deadlines[0]!.services!;
    expect(services.join()).toContain(request);
    // The bell (not allowed in RFC 5545 TEXT) is a space; everything else as read.
    expect(authorize.description.split('\n')).toEqual([
      `${letter.deadlines[0]!.rule}: ${letter.deadlines[0]!.basis}.`,
      `Runs from ${letter.deadlines[0]!.from}. File: aaaaaaaaaaaa.txt. Case: CM15-0000123.`,
      ...services.map((service) => `- ${service.replace('\u0007', ' ')}`),
    ]);
    expect(feed).not.toContain('\u0007');
    for (const line of physicalLines(feed)) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  });

  it('keeps only the deadlines in the asked range, skips letters not classified, and says when the feed stopped short', () => {
    const letter = letterWith('b', ['Physical therapy 2x6']);
    const [authorize, reimburse] = letter.deadlines;
    const notRead = { ...letterWith('c', ['MRI lumbar']), status: 'UNRECOGNIZED' } as unknown as StoredDetermination;
    const onlyFirst = eventsOf(deadlinesCalendar([deadlineEvents([letter, notRead], { dueBefore: authorize!.due }, BASE)], null));
    expect(onlyFirst.map((event) => event.startDate.toString())).toEqual([authorize!.due]);
    const onlyLast = eventsOf(deadlinesCalendar([deadlineEvents([letter], { dueAfter: reimburse!.due }, BASE)], null));
    expect(onlyLast.map((event) => event.startDate.toString())).toEqual([reimburse!.due]);
    const whole = new ICAL.Component(ICAL.parse(deadlinesCalendar([], null)));
    expect(whole.getFirstPropertyValue('prodid')).toBe('-//imr-letters//deadlines//EN');
    // ical.js keeps an X- property as written: its TEXT escapes undone here.
    const description = (calendar: ICAL.Component) => String(calendar.getFirstPropertyValue('x-wr-caldesc')).replace(/\\([\\;,])/g, '$1');
    expect(description(whole)).toBe('Every deadline of every letter read.');
    const cut = new ICAL.Component(ICAL.parse(deadlinesCalendar([deadlineEvents([letter], {}, BASE)], 5000)));
    expect(description(cut)).toBe("Only the newest 5000 letters: older letters' deadlines are not in this feed; ask for fewer with dueBefore.");
    expect(cut.getAllSubcomponents('vevent')).toHaveLength(2);
  });

  it('never diaries an unsure day as a sure one: a letter that needs review, or a day with a caution, says "To check" and why', () => {
    const sure = letterWith('d', ['Physical therapy 2x6']);
    expect(sure.needsReview).toBe(false);
    expect(sure.deadlines.every((deadline) => deadline.caution === undefined)).toBe(true);
    const caution = 'the service received the letter 40 days after its date (2025-11-26): if it arrived earlier, set the day it was received';
    const doubtful = { ...sure, id: 'e'.repeat(64), needsReview: true };
    const late = { ...sure, id: 'f'.repeat(64), deadlines: sure.deadlines.map((deadline, index) => (index === 0 ? { ...deadline, caution } : deadline)) };
    const events = eventsOf(deadlinesCalendar([deadlineEvents([sure, doubtful, late], {}, BASE)], null));
    const of = (id: string) => events.filter((event) => event.uid.startsWith(id));
    expect(of(sure.id).map((event) => event.summary)).toEqual(['Authorize: CM15-0000123 (1 item)', 'Reimburse: CM15-0000123 (1 item)']);
    expect(of(sure.id).every((event) => !/check/i.test(event.description))).toBe(true);
    expect(of(doubtful.id).map((event) => event.summary)).toEqual(['To check: Authorize: CM15-0000123 (1 item)', 'To check: Reimburse: CM15-0000123 (1 item)']);
    expect(
      of(doubtful.id).every((event) => event.description.startsWith('This letter needs a person to check its reading before this day is relied on.\n')),
    ).toBe(true);
    expect(of(late.id).map((event) => event.summary)).toEqual(['To check: Authorize: CM15-0000123 (1 item)', 'Reimburse: CM15-0000123 (1 item)']);
    expect(of(late.id)[0]!.description.split('\n')[0]).toBe(`Caution: ${caution}.`);
  });

  it('folds any content line within 75 octets a physical line, never inside a character, and unfolds to the same line', () => {
    const unfold = (folded: string) => folded.slice(0, -2).replace(/\r\n /g, '');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 200 }), (graphemes, any) => {
        for (const value of [`DESCRIPTION:${graphemes}`, `SUMMARY:${any}`]) {
          const folded = contentLine(value);
          expect(unfold(folded)).toBe(value);
          for (const line of folded.slice(0, -2).split('\r\n')) {
            expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
            // A character's two halves (a surrogate pair) are never on two lines.
            expect(line).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
          }
        }
      }),
      { numRuns: 500 },
    );
    // Exactly at the limit: one line; one octet more: folded.
    expect(contentLine('X'.repeat(75))).toBe(`${'X'.repeat(75)}\r\n`);
    expect(contentLine('X'.repeat(76))).toBe(`${'X'.repeat(75)}\r\n X\r\n`);
    expect(contentLine(`${'X'.repeat(74)}é`)).toBe(`${'X'.repeat(74)}\r\n é\r\n`);
  });
});
