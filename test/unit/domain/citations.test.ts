import { describe, expect, it } from 'vitest';
import { readCitations } from '../../../functions/domain/citations.ts';

const parts = (paragraph: string) => readCitations(paragraph).map(({ text: _text, ...rest }) => rest);

describe('readCitations', () => {
  it('reads an MTUS citation with topic and pages', () => {
    expect(parts('Decision based on MTUS Chronic Pain Treatment Guidelines Opioids, criteria for use Page(s): 76-80.')).toEqual([
      { source: 'MTUS', title: 'Chronic Pain Treatment Guidelines', topic: 'Opioids, criteria for use', pages: '76-80' },
    ]);
  });

  it('reads page lists and a stray period before them', () => {
    expect(parts('Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): . 63-66.')[0]!.pages).toBe('63-66');
    expect(parts('Decision based on MTUS Chronic Pain Treatment Guidelines criteria for use of opioids Page(s): 76-78, 88-89.')[0]!.pages).toBe('76-78, 88-89');
  });

  it('reads a non-MTUS ACOEM citation after the reviewer says it did not use MTUS', () => {
    const citations = readCitations(
      'The Expert Reviewer did not base their decision on the MTUS. Decision based on Non-MTUS Citation American College of Occupational and Environmental Medicine (ACOEM), 2nd Edition, (2004) Chapter 7, page 127, CONSULTATION',
    );
    expect(citations).toHaveLength(1);
    expect(citations[0]).toMatchObject({ source: 'ACOEM', pages: '127', topic: 'Chapter 7, CONSULTATION' });
    expect(citations[0]!.text).toMatch(/^The Expert Reviewer did not base/);
  });

  it('reads an ODG citation', () => {
    expect(parts('Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Pain Chapter, Medical food.')[0]).toEqual({
      source: 'ODG',
      title: 'Official Disability Guidelines (ODG)',
      topic: 'Pain Chapter, Medical food',
      pages: null,
    });
  });

  it('reads two citations in one paragraph', () => {
    const citations = parts(
      'Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): 60. Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Knee chapter.',
    );
    expect(citations.map((citation) => citation.source)).toEqual(['MTUS', 'ODG']);
  });

  it('keeps a statement that nothing was cited as a NONE citation', () => {
    expect(parts('The Claims Administrator did not cite any medical evidence for its decision.')).toEqual([
      { source: 'NONE', title: null, topic: null, pages: null },
    ]);
  });

  it('reads the 2013 sentence form', () => {
    expect(
      parts('The Claims Administrator based its decision on the Chronic Pain Medical Treatment Guidelines (2009), page 56-57, which is part of the MTUS.'),
    ).toEqual([{ source: 'MTUS', title: 'Chronic Pain Medical Treatment Guidelines (2009)', topic: null, pages: '56-57' }]);
  });

  it('reads through OCR damage in the citation words', () => {
    expect(parts('Declsion based on MTUS Chr0nic Pain Treatment Guidelines Massage therapy Page(s): 60.')[0]).toEqual({
      source: 'MTUS',
      title: 'Chronic Pain Treatment Guidelines',
      topic: 'Massage therapy',
      pages: '60',
    });
  });
});
