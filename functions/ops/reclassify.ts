import { classifyLetter, ENGINE_VERSION, type Determination } from '../domain/index.ts';
import { determinationEvent } from '../service/events.ts';
import type { DeterminationStore, EventPublisher, ObjectStore } from '../service/ports.ts';
import { saveReading } from '../service/ledger.ts';

/** What a reclassification run did. */
export interface ReclassifyReport {
  readonly examined: number;
  readonly reclassified: number;
  /** Of those, how many came out different (and were announced again). */
  readonly changed: number;
  /** Documents whose stored text is missing (never read, or read before text was kept). */
  readonly missingText: string[];
  /**
   * Documents read before the reading's context was kept beside its text: re-read from the text
   * alone, so what only the reader knew (a page it could not read, a page's low confidence) is
   * not known. Each keeps the flags it had: a re-reading never clears one of them.
   */
  readonly withoutContext: string[];
}

function essence(determination: Determination): string {
  if (determination.status !== 'CLASSIFIED') return JSON.stringify(determination.status);
  const { outcome, caseNumber, flags, items } = determination;
  return JSON.stringify({
    outcome,
    caseNumber,
    flags,
    items: items.map(({ request, decision, category, subcategory, flags: itemFlags }) => ({ request, decision, category, subcategory, itemFlags })),
  });
}

/**
 * A re-reading from text alone keeps the stored reading's INCOMPLETE flag, and its
 * LOW_CONFIDENCE where a page was read with low confidence, with their warnings: only the
 * reader knew of a page it could not read.
 */
function keepEarnedFlags(determination: Determination, stored: Determination | null): Determination {
  if (!stored || stored.status !== 'CLASSIFIED' || determination.status !== 'CLASSIFIED') return determination;
  const lowPage = stored.warnings.some((warning) => /^page \d+ OCR confidence/.test(warning));
  const earned = stored.flags.filter((flag) => (flag === 'INCOMPLETE' || (flag === 'LOW_CONFIDENCE' && lowPage)) && !determination.flags.includes(flag));
  if (earned.length === 0) return determination;
  const notes = stored.warnings.filter((warning) => !determination.warnings.includes(warning) && /^incomplete: |^page \d+ /.test(warning));
  return { ...determination, flags: [...determination.flags, ...earned], warnings: [...determination.warnings, ...notes] };
}

/**
 * Re-runs the current parser over every stored letter read by an older engine, from the
 * stored OCR text (no Textract call, no cost but DynamoDB and S3 reads). A result that
 * differs from the stored one is saved and announced again.
 */
export async function reclassifyStored(
  deps: { store: DeterminationStore & { scanDocumentIds(): AsyncIterable<string> }; objects: ObjectStore; events: EventPublisher; now: () => Date },
  options: { all?: boolean } = {},
): Promise<ReclassifyReport> {
  let examined = 0;
  let reclassified = 0;
  let changed = 0;
  const missingText: string[] = [];
  const withoutContext: string[] = [];
  for await (const id of deps.store.scanDocumentIds()) {
    const stored = await deps.store.getDetermination(id);
    if (!stored) continue;
    examined++;
    if (!options.all && stored.engineVersion === ENGINE_VERSION) continue;
    const reading = await deps.objects.getReading(id);
    if (reading === null) {
      missingText.push(id);
      continue;
    }
    if (reading.context === null) withoutContext.push(id);
    const determination = keepEarnedFlags(classifyLetter(reading.text, reading.context ?? {}), reading.context === null ? stored : null);
    reclassified++;
    const at = deps.now().toISOString();
    await saveReading(deps.store, id, determination, at);
    // What is stored now: a corrected letter keeps its correction, and then nothing changed.
    const now = await deps.store.getDetermination(id);
    if (now && essence(now) !== essence(stored)) {
      changed++;
      // Another form of a letter is announced with the first, never on its own.
      if (!now.sameLetterAs) await deps.events.publish(determinationEvent(now, at));
    }
  }
  return { examined, reclassified, changed, missingText, withoutContext };
}
