/**
 * A line safe to print to a terminal or a log: control characters (C0, DEL, C1: a CR that
 * rewrites the line, an ESC that starts a terminal escape sequence) and the Unicode bidi
 * controls (which make a name read in another order than it is) are shown as `\xNN` or
 * `\u{NNNN}`, and a backslash as `\\`, so what is printed says exactly what the name holds.
 * Keys and file names come from whoever uploads; they are printed through this.
 */
export function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '\\') out += '\\\\';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) || code === 0x200e || code === 0x200f || code === 0x061c)
      out += `\\u{${code.toString(16)}}`;
    else out += char;
  }
  return out;
}
