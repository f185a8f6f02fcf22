import { compareLetters, letterFingerprint, type Determination } from '../domain/index.ts';
import type { DeterminationStore } from './ports.ts';

/** Most earlier readings compared with a new one (one fingerprint rarely has more than one). */
const MAX_CANDIDATES = 10;

/**
 * Whether a new reading is another form of a letter already read (spec: one letter, one
 * determination): compared with the earlier letters of the same fingerprint. A sure match
 * links it (`sameLetterAs`); a near miss keeps it apart, flagged LOW_CONFIDENCE with a warning
 * naming the other document, so a person compares them; never are two letters merged on doubt.
 */
export async function recognizeSameLetter(
  store: Pick<DeterminationStore, 'lettersLike'>,
  id: string,
  determination: Determination,
): Promise<{ determination: Determination; sameLetterAs: string | null }> {
  if (determination.status !== 'CLASSIFIED') return { determination, sameLetterAs: null };
  const fingerprint = letterFingerprint(determination);
  if (!fingerprint) return { determination, sameLetterAs: null };
  const candidates = (await store.lettersLike(fingerprint, MAX_CANDIDATES)).filter((candidate) => candidate.id !== id);
  let unsure: (typeof candidates)[number] | null = null;
  for (const candidate of candidates) {
    if (candidate.status !== 'CLASSIFIED') continue;
    const verdict = compareLetters(determination, candidate);
    if (verdict === 'SAME') return { determination, sameLetterAs: candidate.id };
    if (verdict === 'UNSURE') unsure ??= candidate;
  }
  if (!unsure) return { determination, sameLetterAs: null };
  return {
    determination: {
      ...determination,
      flags: determination.flags.includes('LOW_CONFIDENCE') ? determination.flags : [...determination.flags, 'LOW_CONFIDENCE'],
      warnings: [
        ...determination.warnings,
        `possibly the same letter as document ${unsure.id.slice(0, 12)} (received ${unsure.receivedOn}), but its requests read differently: kept apart and counted on its own; compare the two`,
      ],
    },
    sameLetterAs: null,
  };
}
