import { describe, expect, it } from 'vitest';
import { classifyLetter, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import { letterText } from '../../fixtures/factories.ts';

function classified(text: string): ClassifiedDetermination {
  const determination = classifyLetter(text);
  if (determination.status !== 'CLASSIFIED') throw new Error(determination.reason);
  return determination;
}

describe('consistency checks', () => {
  it('flags an Overturned item whose rationale concludes not medically necessary', () => {
    const determination = classified(
      letterText({
        items: [
          {
            request: 'Norco 10/325mg #90',
            decision: 'Overturned',
            rationale: 'No functional improvement is documented. The request is not medically necessary.',
          },
        ],
      }),
    );
    expect(determination.items[0]!.medicallyNecessary).toBe(false);
    expect(determination.items[0]!.flags).toContain('DECISION_CONFLICTS_WITH_RATIONALE');
    expect(determination.flags).toContain('DECISION_CONFLICTS_WITH_RATIONALE');
  });

  it('flags an Upheld item whose rationale concludes medically necessary', () => {
    const determination = classified(
      letterText({
        items: [{ request: 'Physical therapy x 6', decision: 'Upheld', rationale: 'A trial is appropriate. The request IS medically necessary.' }],
      }),
    );
    expect(determination.items[0]!.flags).toEqual(['DECISION_CONFLICTS_WITH_RATIONALE']);
  });

  it('does not flag agreeing items', () => {
    const determination = classified(
      letterText({
        items: [
          { request: 'Norco 10/325mg #90', decision: 'Upheld' },
          { request: 'Acupuncture x 6', decision: 'Overturned' },
        ],
      }),
    );
    expect(determination.flags).toEqual([]);
    expect(determination.outcome).toBe('PARTIALLY_OVERTURNED');
  });

  it('flags ITEM_COUNT_MISMATCH when the letter lists more disputed items than it decides', () => {
    const preamble = ['Disputed Items:', '1. Norco 10/325mg #90', '2. Soma 350mg #60', '3. MRI of the lumbar spine', ''];
    const determination = classified(letterText({ preamble, items: [{ request: 'Norco 10/325mg #90' }, { request: 'Soma 350mg #60' }] }));
    expect(determination.flags).toContain('ITEM_COUNT_MISMATCH');
    expect(determination.warnings.join(' ')).toMatch(/lists 3 disputed items but 2 were read/);
  });

  it('accepts a listed count that matches', () => {
    const preamble = ['Disputed Items:', '1. Norco 10/325mg #90', '2. Soma 350mg #60', ''];
    expect(classified(letterText({ preamble, items: [{ request: 'Norco 10/325mg #90' }, { request: 'Soma 350mg #60' }] })).flags).toEqual([]);
  });

  it('flags UNKNOWN_TREATMENT for a request nothing identifies', () => {
    const determination = classified(letterText({ items: [{ request: 'Zorblatix 40mg #30' }] }));
    expect(determination.items[0]!.flags).toContain('UNKNOWN_TREATMENT');
    expect(determination.items[0]!.category).toBe('PHARMACEUTICAL');
    expect(determination.items[0]!.subcategory).toBe('OTHER');
  });

  it('reads OCR-damaged decisions and lowers confidence for them', () => {
    const text = letterText({
      items: [
        { request: 'Flexeril 7.5mg #60', decision: 'Uphe1d' },
        { request: 'Acupuncture x 6', decision: 'Overtumed' },
      ],
    });
    const determination = classified(text);
    expect(determination.items.map((item) => item.decision)).toEqual(['UPHELD', 'OVERTURNED']);
    expect(determination.items[0]!.confidence).toBeLessThan(1);
  });

  it('reads a heading whose colon OCR lost', () => {
    const text = letterText({ items: [{ request: 'Flexeril 7.5mg #60' }] }).replace('Flexeril 7.5mg #60: Upheld', 'Flexeril 7.5mg #60 Upheld');
    expect(classified(text).items[0]!.request).toBe('Flexeril 7.5mg #60');
  });

  it('reads a heading that wraps over two lines', () => {
    const text = letterText({ items: [{ request: 'X' }] }).replace(
      'X: Upheld',
      'Retrospective request for Flurbiprofen 20%/Lidocaine 5% cream 180gm\n(DOS 10/14/2014): Upheld',
    );
    const item = classified(text).items[0]!;
    expect(item.request).toBe('Retrospective request for Flurbiprofen 20%/Lidocaine 5% cream 180gm (DOS 10/14/2014)');
    expect(item.subcategory).toBe('COMPOUND');
  });

  it('marks LOW_CONFIDENCE when the OCR confidence of the pages is poor', () => {
    const determination = classifyLetter(letterText({ items: [{ request: 'Norco 10/325mg #90' }] }), {
      ocrConfidence: 0.5,
      warnings: ['page 1 OCR confidence 50%'],
    });
    if (determination.status !== 'CLASSIFIED') throw new Error('expected classified');
    expect(determination.items[0]!.flags).toContain('LOW_CONFIDENCE');
    expect(determination.warnings).toEqual(['page 1 OCR confidence 50%']);
  });
});

describe('documents that are not readable determinations', () => {
  it('a UR notice is UNRECOGNIZED with a reason', () => {
    const notice = [
      'UTILIZATION REVIEW DETERMINATION',
      'Dear Dr. Smith: We have reviewed your Request for Authorization dated 1/5/2015.',
      'The request for Norco 10/325mg #120 is non-certified. You may request Independent Medical',
      'Review by submitting the Application for Independent Medical Review (DWC Form IMR).',
    ].join('\n');
    const determination = classifyLetter(notice);
    expect(determination).toMatchObject({ status: 'UNRECOGNIZED', reason: expect.stringMatching(/utilization review notice/) });
  });

  it('a letter truncated before its items is UNRECOGNIZED, saying it may be truncated', () => {
    const text = letterText({ items: [{ request: 'Norco 10/325mg #90' }] });
    const truncated = text.slice(0, text.indexOf('Norco'));
    expect(classifyLetter(truncated)).toMatchObject({ status: 'UNRECOGNIZED', reason: expect.stringMatching(/truncated/) });
  });

  it('a letter truncated inside a rationale keeps the items it has', () => {
    const text = letterText({ items: [{ request: 'Norco 10/325mg #90' }, { request: 'Soma 350mg #60' }] });
    const truncated = text.slice(0, text.indexOf('documentation of functional', text.indexOf('Soma')));
    const determination = classifyLetter(truncated);
    expect(determination.status).toBe('CLASSIFIED');
    if (determination.status === 'CLASSIFIED') expect(determination.items.map((item) => item.request)).toEqual(['Norco 10/325mg #90', 'Soma 350mg #60']);
  });

  it('empty text and OCR garbage are UNRECOGNIZED', () => {
    expect(classifyLetter('')).toMatchObject({ status: 'UNRECOGNIZED', reason: 'the document has no text' });
    expect(classifyLetter('~~ ,. ;; 1l1 |||\n.. :: ..')).toMatchObject({ status: 'UNRECOGNIZED' });
  });
});
