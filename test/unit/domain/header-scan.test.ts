import { describe, expect, it } from 'vitest';
import { classifyLetter, type Determination } from '../../../functions/domain/index.ts';
import { letterText } from '../../fixtures/factories.ts';

/** The dates read from a letter whose header block is `header`, as OCR read it off a fax. */
function datesOf(header: string[]): Extract<Determination, { status: 'CLASSIFIED' }>['dates'] {
  const determination = classifyLetter(letterText({ preamble: [...header, ''], items: [{ request: 'Norco 10/325mg #60', decision: 'Upheld' }] }));
  if (determination.status !== 'CLASSIFIED') throw new Error(determination.reason);
  return determination.dates;
}

describe('the header table as OCR reads it off a fax', () => {
  // Lines as tesseract read them from the corpus's faxes, the cell rulings whitened but for their remnants.
  it.each([
    [
      [
        'Date Assigned: 01/31/2017 Date of Injury: 10/24/2016',
        'Decision Date: 02/28/2017 UR Denial Date: = 01/06/2017',
        'Priority: Standard Application = =—s- 01/24/2017',
        'Received:',
      ],
      { assigned: '2017-01-31', injury: '2016-10-24', decision: '2017-02-28', urDecision: '2017-01-06', received: '2017-01-24' },
    ],
    [
      [
        'Date Assigned: — 12/21/2016 Date of Injury: 10/13/2016',
        'Decision Date: _ 02/06/2017 UR Denial Date: = 12/12/2016',
        'Priority: Standard Application 12/28/2016',
        'Received:',
      ],
      { assigned: '2016-12-21', injury: '2016-10-13', decision: '2017-02-06', urDecision: '2016-12-12', received: '2016-12-28' },
    ],
  ])('reads every date of %j', (header, dates) => {
    expect(datesOf(header)).toMatchObject(dates);
  });

  it('reads no date where OCR made an impossible one (a month 41), rather than guess', () => {
    expect(datesOf(['Date Assigned: 01/12/2017 Date of Injury: 41/11/2016']).injury).toBeNull();
  });

  it('takes no word of prose between a label and a date', () => {
    expect(datesOf(['Date of Injury: was not stated; on 10/24/2016 the employee']).injury).not.toBe('2016-10-24');
  });
});
