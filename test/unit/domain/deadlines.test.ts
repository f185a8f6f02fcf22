import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addWorkingDays, californiaStateHolidays, deadlinesOf, earliestDue, isWorkingDay, receivedOnOf } from '../../../functions/domain/deadlines.ts';
import { classifyLetter, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { letterText } from '../../fixtures/factories.ts';

/** A letter read by the engine, with these decisions and this decision date. */
const letter = (decisions: Array<'UPHELD' | 'OVERTURNED'>, decided: string | null) => {
  const determination = classifyLetter(
    letterText({
      items: decisions.map((decision, index) => ({
        request: `Physical therapy ${index + 2} sessions for the lumbar spine`,
        decision: decision === 'UPHELD' ? 'Upheld' : 'Overturned',
      })),
    }),
  ) as ClassifiedDetermination;
  expect(determination.items.map((item) => item.decision)).toEqual(decisions);
  return { ...determination, dates: { ...determination.dates, decision: decided } };
};

describe('deadlines of a final determination', () => {
  it('names what must be authorized: each overturned request as IMR decided it, and for a modified request only the part UR did not authorize', () => {
    const read = letter(['OVERTURNED', 'UPHELD', 'OVERTURNED'], '2015-01-21');
    const items = read.items.map((item, index) =>
      index === 2
        ? {
            ...item,
            request: 'Physical therapy 6 sessions for the lumbar spine',
            originalRequest: 'Physical therapy 12 sessions for the lumbar spine',
            authorized: '6 sessions',
          }
        : item,
    );
    const deadlines = deadlinesOf({ ...read, items }, '2015-01-23');
    const authorize = deadlines.find((deadline) => deadline.kind === 'AUTHORIZE')!;
    expect(authorize.items).toEqual([0, 2]);
    expect(authorize.services).toEqual([
      items[0]!.request,
      'Physical therapy 6 sessions for the lumbar spine (of the request "Physical therapy 12 sessions for the lumbar spine", utilization review already authorized 6 sessions)',
    ]);
    expect(deadlines.find((deadline) => deadline.kind === 'REIMBURSE')!.services).toEqual(authorize.services);
    expect(deadlines.find((deadline) => deadline.kind === 'APPEAL')!.services).toBeUndefined();
  });

  it('decided 2015-01-21, received Friday 2015-01-23, four items overturned: authorize 01-30, reimburse 02-12, appeal 02-20', () => {
    const deadlines = deadlinesOf(letter(['OVERTURNED', 'OVERTURNED', 'UPHELD', 'OVERTURNED', 'OVERTURNED'], '2015-01-21'), '2015-01-23');
    expect(deadlines.map(({ kind, due, from, items, rule }) => ({ kind, due, from, items, rule }))).toEqual([
      { kind: 'AUTHORIZE', due: '2015-01-30', from: '2015-01-23', items: [0, 1, 3, 4], rule: '8 CCR 9792.10.7(a)(2)' },
      { kind: 'REIMBURSE', due: '2015-02-12', from: '2015-01-23', items: [0, 1, 3, 4], rule: '8 CCR 9792.10.7(a)(1)' },
      { kind: 'APPEAL', due: '2015-02-20', from: '2015-01-21', items: [], rule: 'Labor Code 4610.6(h)' },
    ]);
    expect(earliestDue(deadlines)).toBe('2015-01-30');
  });

  it('skips Thanksgiving and the day after: received Wednesday 2014-11-26, authorize by 2014-12-05', () => {
    expect(deadlinesOf(letter(['OVERTURNED'], null), '2014-11-26')[0]).toMatchObject({ kind: 'AUTHORIZE', due: '2014-12-05' });
  });

  it('skips weekends: received on a Monday, due the Monday after; received on a Saturday, the Friday after', () => {
    expect(addWorkingDays('2015-03-02', 5)).toBe('2015-03-09');
    expect(addWorkingDays('2015-03-07', 5)).toBe('2015-03-13');
  });

  it('skips observed holidays: Christmas 2016 on a Sunday moves to Monday the 26th; New Year 2017 likewise', () => {
    expect(isWorkingDay('2016-12-26')).toBe(false);
    expect(isWorkingDay('2017-01-02')).toBe(false);
    // Received Thursday 2016-12-22: Fri 23, (26 holiday), Tue 27, Wed 28, Thu 29, Fri 30.
    expect(addWorkingDays('2016-12-22', 5)).toBe('2016-12-30');
  });

  it('observes Veterans Day on the Friday before when it falls on a Saturday, and moves no other Saturday holiday', () => {
    expect(californiaStateHolidays(2017).get('2017-11-10')).toBe('Veterans Day (observed)');
    expect(isWorkingDay('2022-07-01')).toBe(true); // Independence Day 2021 fell on a Sunday; 2022's on a Monday.
    expect(isWorkingDay('2021-07-05')).toBe(false);
    expect([...californiaStateHolidays(2020).keys()]).not.toContain('2020-07-03'); // July 4th 2020 was a Saturday.
  });

  it('has the holidays CalHR listed for 2014, and no others', () => {
    expect([...californiaStateHolidays(2014).keys()].sort()).toEqual([
      '2014-01-01',
      '2014-01-20',
      '2014-02-17',
      '2014-03-31',
      '2014-05-26',
      '2014-07-04',
      '2014-09-01',
      '2014-11-11',
      '2014-11-27',
      '2014-11-28',
      '2014-12-25',
    ]);
  });

  it('has the holidays CalHR listed for 2013, Cesar Chavez Day observed on Monday April 1st', () => {
    expect([...californiaStateHolidays(2013).keys()].sort()).toEqual([
      '2013-01-01',
      '2013-01-21',
      '2013-02-18',
      '2013-04-01',
      '2013-05-27',
      '2013-07-04',
      '2013-09-02',
      '2013-11-11',
      '2013-11-28',
      '2013-11-29',
      '2013-12-25',
    ]);
  });

  it('has no AUTHORIZE or REIMBURSE when every item was upheld, and no APPEAL without the letter date', () => {
    expect(deadlinesOf(letter(['UPHELD', 'UPHELD'], '2015-01-21'), '2015-01-23').map((d) => d.kind)).toEqual(['APPEAL']);
    expect(deadlinesOf(letter(['UPHELD'], null), '2015-01-23')).toEqual([]);
  });

  it("says when the day of receipt it counts from is doubtful: long after the letter's date, or before it", () => {
    const late = deadlinesOf(letter(['OVERTURNED'], '2015-01-21'), '2015-02-20');
    expect(late.filter((deadline) => deadline.caution).map((deadline) => deadline.kind)).toEqual(['AUTHORIZE', 'REIMBURSE']);
    expect(late[0]!.caution).toMatch(/30 days after its date \(2015-01-21\)/);
    expect(deadlinesOf(letter(['OVERTURNED'], '2015-01-21'), '2015-01-14')[0]!.caution).toMatch(/before the letter's date/);
    // Within the days mail takes, or confirmed by a person, or with no date to compare: no doubt.
    expect(deadlinesOf(letter(['OVERTURNED'], '2015-01-21'), '2015-01-31').some((deadline) => deadline.caution)).toBe(false);
    expect(deadlinesOf(letter(['OVERTURNED'], '2015-01-21'), '2015-02-20', true).some((deadline) => deadline.caution)).toBe(false);
    expect(deadlinesOf(letter(['OVERTURNED'], null), '2015-02-20').some((deadline) => deadline.caution)).toBe(false);
  });

  it('says where it gave the earlier date', () => {
    const appeal = deadlinesOf(letter(['UPHELD'], '2015-01-21'), '2015-01-23').find((d) => d.kind === 'APPEAL')!;
    expect(appeal.basis).toMatch(/earlier date.*mail/);
  });

  it('never makes a working-day deadline fall on a weekend or holiday, and is never earlier than n calendar days', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2013-01-01'), max: new Date('2035-12-31'), noInvalidDate: true }), fc.integer({ min: 1, max: 30 }), (date, n) => {
        const from = date.toISOString().slice(0, 10);
        const due = addWorkingDays(from, n);
        expect(isWorkingDay(due)).toBe(true);
        expect(due >= new Date(Date.parse(`${from}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)).toBe(true);
      }),
    );
  });

  it('takes the day of receipt in California: 23:30 Pacific is still that day, though UTC has moved on', () => {
    expect(receivedOnOf('2015-01-24T07:30:00.000Z')).toBe('2015-01-23');
    expect(receivedOnOf('2015-07-24T06:59:00.000Z')).toBe('2015-07-23');
    expect(receivedOnOf('2015-07-24T07:00:00.000Z')).toBe('2015-07-24');
  });
});
