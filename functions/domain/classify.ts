import type { Classification } from './taxonomy.ts';
import { DRUG_NAMES, DRUG_WORDS, type DrugName } from './lexicon.ts';
import { REQUEST_WORDS, SERVICE_KEYWORDS, SERVICE_RULES } from './vocabulary.ts';
import { ocrFold, resolveOcrWord } from './fuzzy.ts';

/** How a request was classified into the taxonomy. */
export interface TreatmentClass {
  /** Category and subcategory. */
  readonly classification: Classification;
  /** The drug or service name as the request writes it; null if none was identified. */
  readonly name: string | null;
  /** Active ingredient(s) of an identified drug. */
  readonly generic: string | null;
  /** False when nothing in the request could be identified (UNKNOWN_TREATMENT). */
  readonly identified: boolean;
  /** True when a word had to be read through OCR damage to identify the treatment. */
  readonly corrected: boolean;
}

const TOPICAL_FORM = /\b(?:cream|gel|ointment|lotion|topical|patch(?:es)?|transdermal|liniment|rub|balm|roll-?on|spray)\b/i;
const COMPOUNDED = /\bcompound(?:ed)?\b|\bcompounding\b/i;
/** "Associated surgical service(s):" before the service itself. */
const ASSOCIATED_SERVICE = /^\s*associated\s+surgical\s+services?\s*:\s*/i;
/** An ingredient's strength in a compound: `20%`, `0.025%`. */
const INGREDIENT_STRENGTH = /\b\d+(?:\.\d+)?\s*%/g;
/** Words that make a request with percentages a service, not a product. */
const SERVICE_WORDS = /\b(?:injection|block|therapy|sessions?|visits?|surgery)\b/i;
const DRUG_DOSE = /\b\d+(?:\.\d+)?\s*(?:mg|mcg|%|ml|gm)\b|#\s*\d+|\b(?:tablets?|capsules?|tabs?|caps)\b/i;

const CORRECTION_VOCABULARY: ReadonlyMap<string, string> = (() => {
  const vocabulary = new Map<string, string>(DRUG_WORDS);
  for (const keyword of SERVICE_KEYWORDS) vocabulary.set(ocrFold(keyword), keyword);
  return vocabulary;
})();
const KNOWN_FOLDED = new Set([...REQUEST_WORDS].map(ocrFold));

const WORD = /[A-Z0-9|]+(?:['’][A-Z]+)?/gi;

interface RequestWord {
  /** The word as written. */
  readonly written: string;
  /** Its folded spelling after OCR correction. */
  readonly folded: string;
  readonly corrected: boolean;
}

/**
 * Splits a request into words, reading OCR-damaged words (`Rabaxin`, `Klonepin`) as the
 * single lexicon word they are closest to, when that is unambiguous.
 */
function readWords(request: string): RequestWord[] {
  const words: RequestWord[] = [];
  for (const match of request.matchAll(WORD)) {
    const written = match[0];
    const folded = ocrFold(written);
    if (folded.length === 0 || /^\d+$/.test(written)) {
      words.push({ written, folded: written, corrected: false });
      continue;
    }
    if (CORRECTION_VOCABULARY.has(folded) || KNOWN_FOLDED.has(folded) || /\d/.test(written.replace(/[10|]/g, ''))) {
      // A digit or bar inside a word is an OCR slip even when folding undoes it (`F1exeril`).
      words.push({ written, folded, corrected: /[A-Z]/i.test(written) && /[0-9|]/.test(written) && folded.length >= 4 });
      continue;
    }
    const resolved = resolveOcrWord(written, CORRECTION_VOCABULARY);
    if (resolved !== null) words.push({ written, folded: ocrFold(resolved), corrected: true });
    else words.push({ written, folded, corrected: false });
  }
  return words;
}

/** Every lexicon name occurring in the words, longest names first, none overlapping. */
function findDrugs(words: readonly RequestWord[]): Array<{ name: DrugName; start: number; end: number }> {
  const found: Array<{ name: DrugName; start: number; end: number }> = [];
  const taken = new Array<boolean>(words.length).fill(false);
  for (const name of DRUG_NAMES) {
    for (let start = 0; start + name.words.length <= words.length; start++) {
      let matches = true;
      for (let k = 0; k < name.words.length; k++) {
        if (taken[start + k] || words[start + k]!.folded !== name.words[k]) {
          matches = false;
          break;
        }
      }
      if (!matches) continue;
      const end = start + name.words.length;
      for (let k = start; k < end; k++) taken[k] = true;
      found.push({ name, start, end });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/**
 * Classifies a request heading into the taxonomy. Services are matched first (an injection
 * of a steroid is an injection); then drugs by active ingredient, with the dosage form
 * deciding topical and compounded products; anything else is OTHER and unidentified.
 */
export function classifyRequest(request: string): TreatmentClass {
  // "Associated surgical service: X" is X (a cold therapy unit, a brace, therapy after the operation);
  // a service named only by its role in the operation ("PA assist") is the surgery's.
  const associated = ASSOCIATED_SERVICE.exec(request);
  if (associated) {
    const service = classifyRequest(request.slice(associated[0].length));
    return service.identified ? service : { ...service, classification: { category: 'SURGERY', subcategory: 'OTHER' }, identified: true };
  }
  // Two or more ingredients, each with its strength ("Flurbiprofen 20%, Baclofen 5%, ..."): a compounded product.
  if ((request.match(INGREDIENT_STRENGTH) ?? []).length >= 2 && !SERVICE_WORDS.test(request)) {
    const drugs = classifyDrugs(request);
    return { ...drugs, classification: { category: 'PHARMACEUTICAL', subcategory: 'COMPOUND' }, identified: true };
  }
  const words = readWords(request);
  const corrected = words.some((word) => word.corrected);
  let index = 0;
  // The request with its OCR-damaged words read right, punctuation kept for the service patterns.
  const readable = request.replace(WORD, () => {
    const word = words[index++]!;
    return word.corrected ? word.folded : word.written;
  });

  for (const service of SERVICE_RULES) {
    const match = service.pattern.exec(readable);
    if (match) {
      return { classification: service.classification, name: serviceName(request, readable, match), generic: null, identified: service.known, corrected };
    }
  }

  const drugs = findDrugs(words);
  return drugsOf(request, words, drugs, corrected);
}

/** The drugs of a request read on their own (for a compound's ingredients). */
function classifyDrugs(request: string): TreatmentClass {
  const words = readWords(request);
  return drugsOf(
    request,
    words,
    findDrugs(words),
    words.some((word) => word.corrected),
  );
}

function drugsOf(request: string, words: readonly RequestWord[], drugs: ReturnType<typeof findDrugs>, corrected: boolean): TreatmentClass {
  if (drugs.length > 0) {
    const first = drugs[0]!;
    const written = words
      .slice(first.start, first.end)
      .map((word) => word.written)
      .join(' ');
    const ingredients = new Set(drugs.flatMap((drug) => drug.name.drug.generic.split('/')));
    const generic = drugs.length === 1 ? first.name.drug.generic : [...ingredients].join('/');
    return {
      classification: drugClassification(
        request,
        drugs.map((drug) => drug.name),
        ingredients.size,
      ),
      name: written,
      generic,
      identified: true,
      corrected,
    };
  }

  if (DRUG_DOSE.test(request)) {
    return {
      classification: { category: 'PHARMACEUTICAL', subcategory: COMPOUNDED.test(request) ? 'COMPOUND' : 'OTHER' },
      name: null,
      generic: null,
      identified: false,
      corrected,
    };
  }
  return { classification: { category: 'OTHER', subcategory: null }, name: null, generic: null, identified: false, corrected };
}

function drugClassification(request: string, names: readonly DrugName[], ingredientCount: number): Classification {
  const classes = names.map((name) => name.drug.drugClass);
  if (classes.includes('COMPOUND') || COMPOUNDED.test(request)) return { category: 'PHARMACEUTICAL', subcategory: 'COMPOUND' };
  if (TOPICAL_FORM.test(request) || classes.every((drugClass) => drugClass === 'TOPICAL_ANALGESIC')) {
    if (ingredientCount > 1 && names.length > 1) return { category: 'PHARMACEUTICAL', subcategory: 'COMPOUND' };
    const drugClass = classes[0]!;
    // Patches of opioids (fentanyl, buprenorphine) are systemic, not topical analgesics.
    if (drugClass === 'OPIOID') return { category: 'PHARMACEUTICAL', subcategory: 'OPIOID' };
    return { category: 'PHARMACEUTICAL', subcategory: 'TOPICAL_ANALGESIC' };
  }
  return { category: 'PHARMACEUTICAL', subcategory: classes[0]! };
}

/** The service as the request names it: the request up to its quantities, sides and purposes. */
function serviceName(request: string, readable: string, match: RegExpExecArray): string {
  const trimmed = request
    .replace(/^\s*\d+(?:\s+(?:[.)]\s+)?|[.)]\s+)(?=[A-Z])/i, '')
    .replace(/^(?:retrospective|retro|prospective)\s+(?:request\s+)?(?:for\s+)?/i, '')
    .replace(/^(?:request\s+for|purchase\s+of|rental\s+of|prescription\s+of)\s+/i, '')
    .split(/(?<!\s)\s+(?:for|to|of|x|times|at|on|in|between)\s+(?:the\s+)?(?=\S)|(?<!\s)\s+\d|(?<!\s)\s*[(#,;:]/i)[0]!
    .trim();
  if (trimmed.length > 0) return trimmed;
  return readable.slice(match.index, match.index + match[0].length);
}
