import { describe, expect, it } from 'vitest';
import { printable } from '../../../functions/common/printable.ts';

describe('names printed to a terminal or log', () => {
  it('shows control characters and bidi overrides as escapes, so a key cannot rewrite the line or the screen', () => {
    expect(printable('letter\r\n2015-01-01 CLASSIFIED fake.txt')).toBe('letter\\x0d\\x0a2015-01-01 CLASSIFIED fake.txt');
    expect(printable('\u001b]0;owned\u0007\u001b[2J.pdf')).toBe('\\x1b]0;owned\\x07\\x1b[2J.pdf');
    expect(printable('invoice\u202Efdp.exe')).toBe('invoice\\u{202e}fdp.exe');
    expect(printable('a\u009bb\u007f')).toBe('a\\x9bb\\x7f');
    // A backslash is doubled, so an escape printed here can never be mistaken for one in the name.
    expect(printable('C:\\x1b')).toBe('C:\\\\x1b');
  });

  it('leaves ordinary names as they are, accents and spaces included', () => {
    expect(printable('inbox/Décision médicale 2015 #3.pdf')).toBe('inbox/Décision médicale 2015 #3.pdf');
  });
});
