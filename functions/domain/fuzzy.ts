/**
 * OCR-tolerant word matching. OCR confuses a few glyph shapes again and again (`rn`/`m`,
 * `l`/`1`/`I`/`|`, `o`/`0`, `vv`/`w`); folding both sides onto one canonical form first
 * makes those confusions free, and an edit distance then absorbs the rest.
 */

/** Folds a word onto its OCR-canonical form: lower case, confusable glyphs merged. */
export function ocrFold(word: string): string {
  return word
    .toLowerCase()
    .replace(/rn/g, 'm')
    .replace(/vv/g, 'w')
    .replace(/[1|!íì]/g, 'l')
    .replace(/0/g, 'o')
    .replace(/5/g, 's')
    .replace(/[^a-z]/g, '');
}

/**
 * Levenshtein distance with a ceiling: returns `max + 1` as soon as the distance is known
 * to exceed `max`, so a miss costs little.
 */
export function boundedDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = new Array<number>(b.length + 1);
  let current = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

/** Edits tolerated for a word of this length: none for short words, where a slip makes another word. */
export function toleratedEdits(length: number): number {
  if (length < 5) return 0;
  if (length < 8) return 1;
  return 2;
}

/**
 * The single vocabulary entry `word` is an OCR-damaged spelling of, or null when none is
 * close enough or two different entries are equally close (ambiguous).
 * `vocabulary` maps folded spellings to the value they stand for.
 */
export function resolveOcrWord<T>(word: string, vocabulary: ReadonlyMap<string, T>): T | null {
  const folded = ocrFold(word);
  const exact = vocabulary.get(folded);
  if (exact !== undefined) return exact;
  const max = toleratedEdits(folded.length);
  if (max === 0) return null;
  // OCR damages a letter or two, so a damaged word keeps its vocabulary word's first or last two letters.
  const ends = endsOf(vocabulary);
  if (!ends.has(`<${folded.slice(0, 2)}`) && !ends.has(`>${folded.slice(-2)}`)) return null;
  let best: T | null = null;
  let bestDistance = max + 1;
  let ambiguous = false;
  for (const [candidate, value] of vocabulary) {
    if (Math.abs(candidate.length - folded.length) > max) continue;
    if (candidate.length < 5) continue;
    const distance = boundedDistance(folded, candidate, Math.min(max, bestDistance));
    if (distance < bestDistance) {
      best = value;
      bestDistance = distance;
      ambiguous = false;
    } else if (distance === bestDistance && distance <= max && value !== best) {
      ambiguous = true;
    }
  }
  return bestDistance <= max && !ambiguous ? best : null;
}

const ENDS = new WeakMap<ReadonlyMap<string, unknown>, Set<string>>();

/** The first and last two letters of every vocabulary entry, computed once per vocabulary. */
function endsOf(vocabulary: ReadonlyMap<string, unknown>): Set<string> {
  let ends = ENDS.get(vocabulary);
  if (!ends) {
    ends = new Set();
    for (const key of vocabulary.keys()) ends.add(`<${key.slice(0, 2)}`).add(`>${key.slice(-2)}`);
    ENDS.set(vocabulary, ends);
  }
  return ends;
}

/** A vocabulary for {@link repairWords}: folded spelling to the word as it should read. */
export function vocabularyOf(words: readonly string[]): ReadonlyMap<string, string> {
  return new Map(words.map((word) => [ocrFold(word), word]));
}

/**
 * Rewrites the OCR-damaged words of `text` that unambiguously stand for a word of the
 * vocabulary (`Declsion` to `Decision`), leaving every other word as written.
 */
export function repairWords(text: string, vocabulary: ReadonlyMap<string, string>): string {
  return text.replace(/[A-Z0-9|]{5,}/gi, (word) => {
    if (/^[A-Z]+$/i.test(word) && vocabulary.get(word.toLowerCase()) !== undefined) return word;
    return resolveOcrWord(word, vocabulary) ?? word;
  });
}
