import { describe, expect, it } from 'vitest';
import { LAYOUT_SPECS, parseLetter } from '../../../../functions/domain/layouts/index.ts';
import { LayoutSchema } from '../../../../functions/domain/determination.ts';
import { contentLines, normalizeText } from '../../../../functions/domain/normalize.ts';
import { loadGoldenLetters } from '../../../fixtures/golden.ts';
import { render2013, renderEarliest, renderNotice2013 } from '../../../fixtures/variants.ts';

describe('the layout registry', () => {
  it('names only layouts a Determination may carry, each tried at its own priority', () => {
    for (const spec of LAYOUT_SPECS) expect(LayoutSchema.options).toContain(spec.layout);
    expect(new Set(LAYOUT_SPECS.map((spec) => spec.priority)).size).toBe(LAYOUT_SPECS.length);
    expect(LAYOUT_SPECS.map((spec) => spec.priority)).toEqual([...LAYOUT_SPECS.map((spec) => spec.priority)].sort((a, b) => a - b));
    expect(new Set(LAYOUT_SPECS.map((spec) => spec.layout))).toEqual(new Set(LayoutSchema.options));
  });

  it('hands each letter to the spec of its layout', () => {
    const letter = loadGoldenLetters()[0]!;
    const layoutOf = (text: string) => {
      const read = parseLetter(contentLines(normalizeText(text)));
      return 'layout' in read ? read.layout : read.reason;
    };
    expect(layoutOf(letter.text)).toBe(letter.golden.layout);
    expect(layoutOf(render2013(letter).text)).toBe('2013');
    expect(layoutOf(renderNotice2013(letter).text)).toBe('2013_NOTICE');
    expect(layoutOf(renderEarliest(letter).text)).toBe('EARLIEST');
    expect(layoutOf('Dear Sir,\nPlease find enclosed the invoice for services rendered in March.')).toMatch(/no IMR Final Determination headings found/);
  });
});
