import { describe, expect, it } from 'vitest';
import { normalizeText, PAGE_BREAK } from '../../../functions/domain/index.ts';
import { pageEvidence } from '../../../functions/domain/normalize.ts';

describe('normalizeText', () => {
  it('turns CRLF and CR line ends into LF', () => {
    expect(normalizeText('one\r\ntwo\rthree')).toBe('one\ntwo\nthree');
  });

  it('drops the blank line the published text puts after every printed line', () => {
    const printed = ['HOW THE IMR FINAL DETERMINATION WAS MADE', 'line two', ' ', 'line four', 'line five', 'line six', 'line seven', 'line eight'];
    const published = printed.map((line) => `${line} \n`).join('\n');
    expect(normalizeText(published)).toBe('HOW THE IMR FINAL DETERMINATION WAS MADE\nline two\n\nline four\nline five\nline six\nline seven\nline eight');
  });

  it('keeps ordinary blank lines between paragraphs', () => {
    expect(normalizeText('first paragraph\n\nsecond paragraph')).toBe('first paragraph\n\nsecond paragraph');
  });

  it('replaces fax banners, page footers and running case numbers by page breaks', () => {
    const text = [
      'JAN-28-2015 10:41 FROM:MAXIMUS FEDERAL SVCS  TO:9165551234  P.2/6',
      'The rationale continues',
      'CM14-0209876',
      'Page 2 of 6',
      'on the next page.',
      'P.3/6',
      'CM14-0209876',
    ].join('\n');
    // Breaks at the very start and end of the text are trimmed away.
    expect(normalizeText(text)).toBe(`The rationale continues\n${PAGE_BREAK}\non the next page.`);
  });

  it('keeps a case number that is a labelled field, not furniture', () => {
    expect(normalizeText('Case Number: CM14-0209876\nCM14-0209876\nCM14-0209876')).toContain('Case Number: CM14-0209876');
  });

  it('joins words hyphenated across lines and keeps real compound hyphens', () => {
    expect(normalizeText('is not medi-\ncally necessary')).toBe('is not medically\nnecessary');
    expect(normalizeText('short-\nterm use')).toBe('short-term\nuse');
    expect(normalizeText('at 6-\nmonth intervals')).toBe('at 6-month\nintervals');
    expect(normalizeText('disc protrusion-\nLumbar annular tear')).toBe('disc protrusion-\nLumbar annular tear');
  });

  it('joins a hyphenated word across a page break', () => {
    expect(normalizeText('the treat-\nPage 2 of 6\nment was denied')).toBe(`the treatment\n${PAGE_BREAK}\nwas denied`);
  });

  it('drops lines of stray OCR punctuation and edge specks', () => {
    expect(normalizeText('Decision rationale: text\n. , ~\n|Flexeril 7.5mg #60: Upheld |\n_')).toBe('Decision rationale: text\n\nFlexeril 7.5mg #60: Upheld');
  });

  it('reads form feeds as page breaks and Latin-1 punctuation as ASCII', () => {
    expect(normalizeText('page one\fpage two')).toBe(`page one\n${PAGE_BREAK}\npage two`);
    expect(normalizeText('the patient\u2019s \u201Cpain\u201D \u2013 rated')).toBe('the patient\'s "pain" - rated');
  });
});

describe('OCR debris', () => {
  it("drops specks standing alone at a line's ends, keeps a line-end ampersand", () => {
    expect(normalizeText(': OxyContin 40mg TID #90: Upheld : . : , po')).toBe('OxyContin 40mg TID #90: Upheld : . : , po');
    expect(normalizeText("' week in active practice. :")).toBe('week in active practice.');
    expect(normalizeText('Certification(s)/Specialty: Physical Medicine &')).toBe('Certification(s)/Specialty: Physical Medicine &');
  });

  it('drops lines made mostly of specks, keeps short real lines', () => {
    expect(normalizeText('RN i _ _- ree\nOxyContin 40mg TID #90: Upheld')).toBe('OxyContin 40mg TID #90: Upheld');
    expect(normalizeText('1 x 3\nAcupuncture')).toBe('1 x 3\nAcupuncture');
  });

  it('reads a bar next to digits, or as the count in "1 x 3", as a one', () => {
    expect(normalizeText('Norco |0/325mg #|20')).toBe('Norco 10/325mg #120');
    expect(normalizeText('Acupuncture | x 3 for the cervical spine')).toBe('Acupuncture 1 x 3 for the cervical spine');
    expect(normalizeText('PRESCRIPTION OF CYCLOBENZAPRINE SMG #60')).toBe('PRESCRIPTION OF CYCLOBENZAPRINE 5MG #60');
  });
});

describe('pageEvidence', () => {
  it('takes a last page that says it is the last over a total misread elsewhere', () => {
    expect(pageEvidence('Page 1 of 22\nsome text\n\fPage 2 of 2')).toEqual({ highestPage: 2, statedTotal: 2 });
  });

  it('still reports pages missing when the last page read is not the last', () => {
    expect(pageEvidence('Page 1 of 3\ntext\n\fPage 2 of 3')).toEqual({ highestPage: 2, statedTotal: 3 });
  });

  it('treats footers OCR misread as furniture, not text', () => {
    for (const footer of ['Page 4004', 'Page 4 0f 4', 'Pagc 4 of 4', 'Page 4 of 44'])
      expect(normalizeText(`last sentence.\n${footer}`), footer).toBe('last sentence.');
  });
});
