import { classifyLetter, ENGINE_VERSION, type Determination } from '../domain/index.ts';
import { determinationEvent } from '../service/events.ts';
import type { DeterminationStore, EventPublisher, ObjectStore } from '../service/ports.ts';

/** What a reclassification run did. */
export interface ReclassifyReport {
  readonly examined: number;
  readonly reclassified: number;
  /** Of those, how many came out different (and were announced again). */
  readonly changed: number;
  /** Documents whose stored text is missing (never read, or read before text was kept). */
  readonly missingText: string[];
}

function essence(determination: Determination): string {
  if (determination.status !== 'CLASSIFIED') return JSON.stringify(determination.status);
  const { outcome, caseNumber, flags, items } = determination;
  return JSON.stringify({ outcome, caseNumber, flags, items: items.map(({ request, decision, category, subcategory, flags: itemFlags }) => ({ request, decision, category, subcategory, itemFlags })) });
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
  for await (const id of deps.store.scanDocumentIds()) {
    const stored = await deps.store.getDetermination(id);
    if (!stored) continue;
    examined++;
    if (!options.all && stored.engineVersion === ENGINE_VERSION) continue;
    const text = await deps.objects.getText(id);
    if (text === null) {
      missingText.push(id);
      continue;
    }
    const determination = classifyLetter(text);
    reclassified++;
    const at = deps.now().toISOString();
    await deps.store.saveDetermination(id, determination, at);
    // What is stored now: a corrected letter keeps its correction, and then nothing changed.
    const now = await deps.store.getDetermination(id);
    if (now && essence(now) !== essence(stored)) {
      changed++;
      // Another form of a letter is announced with the first, never on its own.
      if (!now.sameLetterAs) await deps.events.publish(determinationEvent(now, at));
    }
  }
  return { examined, reclassified, changed, missingText };
}
