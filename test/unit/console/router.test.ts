import { describe, expect, it } from 'vitest';
import { parseRoute } from '../../../functions/console/app/router.ts';

describe("the console's addresses", () => {
  it('opens a letter by its whole id or by the first 12 or more characters the service prints', () => {
    const id = '0123456789abcdef'.repeat(4);
    expect(parseRoute(`#/letters/${id}`)).toEqual({ view: 'letter', id, history: false });
    expect(parseRoute(`#/letters/${id.slice(0, 12)}/history`)).toEqual({ view: 'letter', id: id.slice(0, 12), history: true });
    // Shorter than 12, or not hex: the queue, never a request built from it.
    expect(parseRoute('#/letters/0123456789a')).toEqual({ view: 'queue' });
    expect(parseRoute('#/letters/..%2F..%2Fstats')).toEqual({ view: 'queue' });
  });
});
