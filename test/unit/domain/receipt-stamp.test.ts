import { describe, expect, it } from 'vitest';
import { classifyLetter, deadlineView, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { receiptStampOf } from '../../../functions/domain/receipt-stamp.ts';
import { letterText } from '../../fixtures/factories.ts';

/** A letter with one overturned item, stamped as a mail room stamps it (or not). */
function stamped(stamp: string | null): ClassifiedDetermination {
  const text = letterText({ items: [{ request: 'Physical therapy 2x6', decision: 'Overturned' }] });
  return classifyLetter(stamp ? `${stamp}\n\n${text}` : text) as ClassifiedDetermination;
}

describe('a receipt stamp on the letter (spec section 7: evidence of the day received)', () => {
  it('reads the stamp as mail rooms print it, and never the header table’s application date', () => {
    expect(receiptStampOf(['RECEIVED DEC 03 2014'])).toBe('2014-12-03');
    expect(receiptStampOf(['SMITH & JONES LLP', 'RECEIVED', 'DEC 3, 2014'])).toBe('2014-12-03');
    expect(receiptStampOf(['RECEIVED 03 DECEMBER 2014 claims unit'])).toBe('2014-12-03');
    expect(receiptStampOf(['Application Received: 01/29/2015'])).toBeNull();
    expect(receiptStampOf(['APPLICATION RECEIVED JAN 29 2015'])).toBeNull();
    expect(receiptStampOf(['The request was received on December 3, 2014 by the claims administrator.'])).toBeNull();
    expect(receiptStampOf(['RECEIVED FEB 30 2015'])).toBeNull();
  });

  it('counts the deadlines from a stamp earlier than the day the file arrived, names it in the basis, and asks a person to confirm', () => {
    const read = stamped('RECEIVED NOV 02 2026');
    expect(read.receiptStamp).toBe('2026-11-02');
    // The file reached the service a week later.
    const view = deadlineView(read, '2026-11-09T18:00:00.000Z', null);
    expect(view.receivedOn).toBe('2026-11-02');
    const authorize = view.deadlines.find((deadline) => deadline.kind === 'AUTHORIZE')!;
    expect(authorize).toMatchObject({ from: '2026-11-02', due: '2026-11-09' });
    expect(authorize.basis).toContain('counted from the receipt stamp on the letter (2026-11-02)');
    expect(authorize.caution).toMatch(/receipt stamp says it was received 2026-11-02, 7 days before its file reached the service \(2026-11-09\)/);
    // Confirmed by a person, or a day set by one, the caution goes.
    expect(deadlineView(read, '2026-11-09T18:00:00.000Z', null, true).deadlines[0]!.caution).toBeUndefined();
    expect(deadlineView(read, '2026-11-09T18:00:00.000Z', '2026-11-05').receivedOn).toBe('2026-11-05');
  });

  it('keeps the earlier day when the stamp is later than the file, and says one of the two is wrong', () => {
    const view = deadlineView(stamped('RECEIVED NOV 20 2026'), '2026-11-09T18:00:00.000Z', null);
    expect(view.receivedOn).toBe('2026-11-09');
    expect(view.deadlines[0]!.caution).toMatch(/after its file reached the service \(2026-11-09\): one of the two is wrong/);
  });

  it('changes nothing for a letter with no stamp, or a stamp of the day the file arrived', () => {
    const plain = deadlineView(stamped(null), '2026-11-09T18:00:00.000Z', null);
    expect(plain.deadlines.every((deadline) => deadline.caution === undefined && !deadline.basis.includes('stamp'))).toBe(true);
    const sameDay = deadlineView(stamped('RECEIVED NOV 09 2026'), '2026-11-09T18:00:00.000Z', null);
    expect(sameDay.deadlines).toEqual(plain.deadlines);
  });
});
