import { describe, expect, it } from 'vitest';
import { classifyRequest, isSubcategoryOf } from '../../../functions/domain/index.ts';
import { LABELLED_REQUESTS } from '../../fixtures/requests.ts';
import { readTreatment } from '../../../functions/domain/treatment.ts';

describe('classifyRequest over hand-labelled requests', () => {
  it.each(LABELLED_REQUESTS.map((labelled) => [labelled.request, labelled] as const))('%s', (request, labelled) => {
    const read = classifyRequest(request);
    expect(read.classification).toEqual({ category: labelled.category, subcategory: labelled.subcategory });
    if (labelled.generic) expect(read.generic).toBe(labelled.generic);
    expect(read.identified).toBe(!labelled.unknown);
    expect(isSubcategoryOf(read.classification.category, read.classification.subcategory)).toBe(true);
  });
});

describe('OCR-damaged names', () => {
  it.each([
    ['Rabaxin 750mg', 'methocarbamol'],
    ['Klonepin 1mg', 'clonazepam'],
    ['F1exeril 10mg', 'cyclobenzaprine'],
    ['0xyContin 20mg', 'oxycodone'],
    ['Neur0ntin 600mg', 'gabapentin'],
    ['Gabapentln 300mg', 'gabapentin'],
  ])('%s resolves to %s and says it was corrected', (request, generic) => {
    const read = classifyRequest(request);
    expect(read.generic).toBe(generic);
    expect(read.corrected).toBe(true);
  });

  it('corrects toward one drug even when the spelling is near two brands of it', () => {
    // "Lortet" is one edit from Lortab and from Lorcet, both hydrocodone/acetaminophen.
    expect(classifyRequest('Lortet 10mg #30').generic).toBe('hydrocodone/acetaminophen');
  });

  it('never corrects short names, where one slip makes another word', () => {
    expect(classifyRequest('Sona 350mg #30').identified).toBe(false);
  });

  it('leaves a name too far from any drug unidentified', () => {
    const read = classifyRequest('Qwertyzol 10mg #30');
    expect(read.identified).toBe(false);
    expect(read.generic).toBeNull();
  });
});

describe('readTreatment', () => {
  it('reads strength, quantity and frequency of a drug request', () => {
    expect(readTreatment('Flexeril 7.5mg one BID prn #60', 'Flexeril', 'cyclobenzaprine')).toEqual({
      name: 'Flexeril',
      generic: 'cyclobenzaprine',
      strength: '7.5mg',
      quantity: 60,
      frequency: 'BID prn',
      sessions: null,
      bodyPart: null,
    });
  });

  it('does not read Tylenol #3 as a quantity of 3', () => {
    expect(readTreatment('Tylenol #3 #60', null, null).quantity).toBe(60);
    expect(readTreatment('Tylenol #3', null, null).quantity).toBeNull();
  });

  it('reads sessions and body part of a therapy request', () => {
    expect(readTreatment('Physical therapy 2x6 for the lumbar spine', null, null)).toMatchObject({ sessions: 12, frequency: '2x6', bodyPart: 'lumbar spine' });
    expect(readTreatment('12 sessions of physical therapy for the right knee', null, null)).toMatchObject({ sessions: 12, bodyPart: 'right knee' });
    expect(readTreatment('Acupuncture six sessions', null, null).sessions).toBe(6);
  });

  it('reads quantity written as words', () => {
    expect(readTreatment('Norco 10/325mg, quantity of 90', null, null)).toMatchObject({ strength: '10/325mg', quantity: 90 });
  });
});
