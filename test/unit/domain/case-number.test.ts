import { describe, expect, it } from 'vitest';
import { classifyLetter } from '../../../functions/domain/index.ts';
import { letterText } from '../../fixtures/factories.ts';

const read = (caseNumber: string, assigned: string) => {
  const determination = classifyLetter(
    letterText({ preamble: [`Case Number: ${caseNumber}  Date Assigned: ${assigned}`, ''], items: [{ request: 'Norco 10/325mg #60', decision: 'Upheld' }] }),
  );
  if (determination.status !== 'CLASSIFIED') throw new Error('not classified');
  return determination;
};

describe('a case number is checked against its form and the year it was assigned, never guessed', () => {
  it('takes a number of the form CMyy-nnnnnnn whose year fits the assignment', () => {
    expect(read('CM14-0209876', '12/08/2014')).toMatchObject({ caseNumber: 'CM14-0209876', flags: [] });
    // Opened in December, assigned in January: the year before is the case's.
    expect(read('CM16-0245028', '01/04/2017')).toMatchObject({ flags: [] });
  });

  it('keeps a number as read and flags it when its year or form cannot be right (a digit OCR misread)', () => {
    const wrongYear = read('CM18-0209876', '12/08/2014');
    expect(wrongYear).toMatchObject({ caseNumber: 'CM18-0209876', flags: ['LOW_CONFIDENCE'] });
    expect(wrongYear.warnings).toContain(
      'the case number CM18-0209876 names the year 2018 but the case was assigned on 2014-12-08: check both against the letter',
    );
    const short = read('CM14-020987', '12/08/2014');
    expect(short).toMatchObject({ caseNumber: 'CM14-020987', flags: ['LOW_CONFIDENCE'] });
  });
});

describe('a UR date given in words in the case summary', () => {
  it('is read from "In a Utilization Review Report dated September 24, 2014"', () => {
    const text = letterText({ items: [{ request: 'Norco 10/325mg #60', decision: 'Upheld' }] }).replace(
      'on 3/4/2012.',
      'on 3/4/2012. In a Utilization Review Report dated September 24, 2014, the request was non-certified.',
    );
    const determination = classifyLetter(text);
    expect(determination.status === 'CLASSIFIED' && determination.dates).toMatchObject({ injury: '2012-03-04', urDecision: '2014-09-24' });
  });
});

describe('a case number OCR split with a space', () => {
  it('is read whole, and still checked against its form', () => {
    expect(read('CM17-001 2517', '01/24/2017')).toMatchObject({ caseNumber: 'CM17-0012517', flags: [] });
    expect(read('CM17-001 251', '01/24/2017')).toMatchObject({ caseNumber: 'CM17-001251', flags: ['LOW_CONFIDENCE'] });
  });
});

describe('a stray mark after a whole case number', () => {
  it('is not joined to it', () => {
    expect(read('CM16-0213037 7', '11/09/2016')).toMatchObject({ caseNumber: 'CM16-0213037', flags: [] });
  });
});
