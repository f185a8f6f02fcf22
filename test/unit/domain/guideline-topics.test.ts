import { describe, expect, it } from 'vitest';
import { topicEvidence } from '../../../functions/domain/guideline-topics.ts';
import { classifyLetter, type Determination } from '../../../functions/domain/index.ts';
import { loadGoldenLetters } from '../../fixtures/golden.ts';

type Classified = Extract<Determination, { status: 'CLASSIFIED' }>;

function classified(determination: Determination): Classified {
  if (determination.status !== 'CLASSIFIED') throw new Error(`not classified: ${determination.reason}`);
  return determination;
}

describe('topicEvidence: what the cited guideline says of the kind of treatment', () => {
  // Topics as the published decisions print them.
  it.each([
    [
      'Chronic Pain Medical Treatment 2016, Section(s): Topical Analgesics',
      ['PHARMACEUTICAL'],
      { category: 'PHARMACEUTICAL', subcategory: 'TOPICAL_ANALGESIC' },
    ],
    ['Neck and Upper Back Complaints 2004, Section(s): Special Studies', ['DIAGNOSTIC_TESTING'], null],
    ['Chronic Pain Medical Treatment 2016, Section(s): Physical Medicine Treatment', ['REHABILITATION'], null],
    ['Knee Complaints 2004, Section(s): Surgical Considerations', ['SURGERY'], null],
    ['Pain (Chronic), Home Health Services', ['HOME_HEALTH'], { category: 'HOME_HEALTH', subcategory: null }],
    ['Low Back Complaints 2004, Section(s): Physician Methods, Special Studies, Surgical Considerations', ['DIAGNOSTIC_TESTING', 'SURGERY'], null],
    ['Opioids Treatment 2016, Section(s): 3.3.9 Opioids for Chronic Pain', ['PHARMACEUTICAL', 'DIAGNOSTIC_TESTING'], null],
    ['Muscle relaxants (for pain)', ['PHARMACEUTICAL'], { category: 'PHARMACEUTICAL', subcategory: 'MUSCLE_RELAXANT' }],
  ] as const)('%s', (topic, categories, places) => {
    const evidence = topicEvidence([topic]);
    expect([...evidence.categories].sort()).toEqual([...categories].sort());
    expect(evidence.places).toEqual(places);
  });

  it('takes no evidence from a section that names no kind of treatment, or from no topic', () => {
    for (const topics of [['Low Back Complaints 2004, Section(s): Summary'], ['Chronic Pain Medical Treatment 2016, Section(s): Introduction'], [null], []]) {
      const evidence = topicEvidence(topics);
      expect(evidence.categories.size).toBe(0);
      expect(evidence.places).toBeNull();
    }
  });

  it('places nothing when the topics point two ways', () => {
    expect(topicEvidence(['Muscle relaxants', 'Acupuncture Medical Treatment Guidelines']).places).toBeNull();
  });
});

describe('categories from all the evidence a letter gives', () => {
  const letter = loadGoldenLetters().find((candidate) => candidate.text.includes('Flexeril 7.5mg one BID prn #60'))!;

  it('places an item whose request names no known treatment by the guideline the reviewer cited, with a note and no UNKNOWN_TREATMENT', () => {
    const clean = classified(classifyLetter(letter.text));
    const renamed = classified(classifyLetter(letter.text.replaceAll('Flexeril 7.5mg one BID prn #60', 'Qelbrin 7.5mg one BID prn #60')));
    const item = renamed.items.find((candidate) => candidate.request.startsWith('Qelbrin'))!;
    expect([item.category, item.subcategory]).toEqual(['PHARMACEUTICAL', 'MUSCLE_RELAXANT']);
    expect(item.flags).not.toContain('UNKNOWN_TREATMENT');
    // The guideline alone placed it: a person confirms the category.
    expect(item.flags).toContain('LOW_CONFIDENCE');
    expect(item.confidence).toBeLessThan(clean.items[0]!.confidence);
    expect(renamed.warnings.some((warning) => /classed pharmaceutical by the guideline the reviewer cited \("Muscle Relaxants"\)/.test(warning))).toBe(true);
  });

  it('flags an item whose request and cited guideline disagree on its kind', () => {
    // The request's words read as imaging; the reviewer cited the muscle relaxant guideline.
    const misread = classified(classifyLetter(letter.text.replaceAll('Flexeril 7.5mg one BID prn #60', 'MRI of the lumbar spine')));
    const item = misread.items.find((candidate) => candidate.request.startsWith('MRI'))!;
    expect(item.category).toBe('DIAGNOSTIC_TESTING');
    expect(item.flags).toContain('LOW_CONFIDENCE');
    expect(
      misread.warnings.some((warning) =>
        /but the guideline the reviewer cited \("Muscle Relaxants"\) is about pharmaceutical: check the category/.test(warning),
      ),
    ).toBe(true);
  });
});
