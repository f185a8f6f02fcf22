import { describe, expect, it } from 'vitest';
import { boundedDistance, ocrFold, resolveOcrWord, vocabularyOf, repairWords } from '../../../functions/domain/fuzzy.ts';

describe('OCR-tolerant matching', () => {
  it('folds the glyphs OCR confuses onto one form', () => {
    expect(ocrFold('Overtumed')).toBe(ocrFold('Overturned'));
    expect(ocrFold('Uphe1d')).toBe(ocrFold('Upheld'));
    expect(ocrFold('0xyContin')).toBe(ocrFold('OxyContin'));
  });

  it('bounds the edit distance', () => {
    expect(boundedDistance('kitten', 'sitting', 5)).toBe(3);
    expect(boundedDistance('kitten', 'sitting', 1)).toBe(2);
  });

  it('resolves a damaged word to the single closest entry', () => {
    const vocabulary = new Map([
      [ocrFold('methocarbamol'), 'methocarbamol'],
      [ocrFold('Robaxin'), 'Robaxin'],
    ]);
    expect(resolveOcrWord('Rabaxin', vocabulary)).toBe('Robaxin');
    expect(resolveOcrWord('Robaxen', vocabulary)).toBe('Robaxin');
    expect(resolveOcrWord('Zyzzyva', vocabulary)).toBeNull();
  });

  it('refuses a word equally close to two different entries', () => {
    const vocabulary = new Map([
      ['abcdefg', 'first'],
      ['abcdefh', 'second'],
    ]);
    expect(resolveOcrWord('abcdefx', vocabulary)).toBeNull();
  });

  it('repairs only the words of its vocabulary', () => {
    expect(repairWords('Declsion based on Chr0nic pain', vocabularyOf(['Decision', 'Chronic']))).toBe('Decision based on Chronic pain');
  });
});
