/** The licence policy of `npm run licences`, apart so that it is tested. */

/** GPL or AGPL of any version; the LGPL is not matched. */
const COPYLEFT = /(?:^|[^L])A?GPL\b/i;

/** Whether an SPDX expression leaves a permissive choice. */
export function acceptable(expression: string): boolean {
  const alternatives = expression
    .replace(/[()]/g, ' ')
    .split(/(?<!\s)\s+OR\s+/i)
    .map((part) => part.trim())
    .filter(Boolean);
  if (alternatives.length === 0 || alternatives.some((part) => /^(?:UNKNOWN|UNLICENSED|Custom)/i.test(part))) return false;
  return alternatives.some((alternative) => alternative.split(/(?<!\s)\s+AND\s+/i).every((part) => !COPYLEFT.test(part)));
}
