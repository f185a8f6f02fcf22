import type { Treatment } from './determination.ts';

const STRENGTH = /(?<![\d.])(\d+(?:\.\d+)?(?:\s*\/\s*\d+(?:\.\d+)?)*)\s*(mg\/\d*\s*ml|mcg\/hr?|mcg|mg|gm|grams?|g|ml|%|units?)(?![A-Z])/i;
const TYLENOL_NUMBER = /\b(Tylenol|APAP)\s*(?:#|No\.?)\s*(\d)\b/gi;
const QUANTITY = [
  /#\s*(\d{1,5})\b/g,
  /\b(?:qty|quantity)\.?(?:\s*of)?[\s:]*(\d{1,5})\b/gi,
  /\b(?:count|ct)\s*(?::\s*)?(\d{1,5})\b/gi,
  /\((\d{1,4})\)\s*(?:tablets|capsules|tabs|caps|pills|patches)\b/gi,
];
const FREQUENCY_TOKEN =
  /\b(?:q\.?\s?\d{1,2}(?:\s?-\s?\d{1,2})?\s?(?:h|hr|hrs|hours)|q\.?\s?(?:am|pm|hs|d|day|od|week|wk)|b\.?i\.?d\.?|t\.?i\.?d\.?|q\.?i\.?d\.?|q\.?h\.?s\.?|h\.?s\.?(?=\s|$)|p\.?r\.?n\.?|daily|nightly|at\s+bedtime|as\s+needed|(?:once|twice|one|two|three|four|[1-4])\s+(?:times?\s+)?(?:a|per|each)\s+(?:day|week|month)|every\s+\d{1,2}(?:\s?-\s?\d{1,2})?\s+hours)(?=[\s,;.)]|$)/gi;
const SESSIONS_PRODUCT = /\b(\d{1,2})\s*(?:x|times|×)\s*(\d{1,2})(?:\s*(?:weeks|wks|wk|week))?\b/i;
const SESSIONS_COUNT = /\b(\d{1,3})\s*(?:\(\w+\)\s*)?(?:additional\s+|initial\s+|more\s+|post-?op(?:erative)?\s+)?(?:sessions?|visits?|treatments?)\b/i;
const SESSIONS_COUNT_AFTER = /\b(?:sessions?|visits?|treatments?)\s*[x#:]\s*(\d{1,3})\b/i;
const SESSIONS_WORD =
  /\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|twenty[- ]four)\s+(?:\(\d+\)\s*)?(?:additional\s+)?(?:sessions?|visits?|treatments?)\b/i;
const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  twelve: 12,
  eighteen: 18,
  'twenty-four': 24,
  'twenty four': 24,
};
const BODY_PART =
  /\b((?:(?:left|right|bilateral|both|lt\.?|rt\.?)\s+)?(?:(?:cervical|thoracic|lumbar|lumbosacral|thoracolumbar|cervicothoracic)(?:\s+spine)?|low(?:er)?\s+back|upper\s+back|neck|shoulders?|knees?|hips?|wrists?|hands?|elbows?|ankles?|feet|foot|fingers?|thumbs?|upper\s+extremit(?:y|ies)|lower\s+extremit(?:y|ies)|legs?|arms?|forearms?|sacroiliac(?:\s+joints?)?|SI\s+joints?|head|jaw|TMJ|abdomen|groin)\b(?:\s+and\s+(?:(?:left|right)\s+)?(?:shoulder|knee|hip|wrist|hand|elbow|ankle|foot)s?)?)/i;
const DRUG_LIKE = /\b\d+(?:\.\d+)?\s*(?:mg|mcg|%|ml)\b|#\s*\d+/i;

/**
 * Reads the treatment details of a request heading: strength, quantity, frequency, sessions
 * and body part. `name` and `generic` come from the classifier and are passed through.
 */
export function readTreatment(request: string, name: string | null, generic: string | null): Treatment {
  // "Tylenol #3" names a product (codeine 30mg), not a quantity of three.
  const withoutTylenolNumber = request.replace(TYLENOL_NUMBER, '$1 No $2');
  return {
    name,
    generic,
    strength: readStrength(withoutTylenolNumber),
    quantity: readQuantity(withoutTylenolNumber),
    frequency: readFrequency(request),
    sessions: readSessions(request),
    bodyPart: readBodyPart(request),
  };
}

function readStrength(request: string): string | null {
  const match = STRENGTH.exec(request);
  if (!match) return null;
  return (match[1]!.replace(/\s+/g, '') + match[2]!.toLowerCase().replace(/\s+/g, '')).replace(/grams?$/, 'g');
}

function readQuantity(request: string): number | null {
  let found: number | null = null;
  for (const pattern of QUANTITY) {
    for (const match of request.matchAll(pattern)) found = Number(match[1]);
    if (found !== null) return found;
  }
  return null;
}

function readFrequency(request: string): string | null {
  const tokens = [...request.matchAll(FREQUENCY_TOKEN)].map((match) => match[0].trim());
  if (tokens.length > 0) return tokens.join(' ');
  const product = SESSIONS_PRODUCT.exec(request);
  return product ? product[0].trim() : null;
}

function readSessions(request: string): number | null {
  if (DRUG_LIKE.test(request) && !/sessions?|visits?/i.test(request)) return null;
  const count = SESSIONS_COUNT.exec(request) ?? SESSIONS_COUNT_AFTER.exec(request);
  if (count) return Number(count[1]);
  const word = SESSIONS_WORD.exec(request);
  if (word) return NUMBER_WORDS[word[1]!.toLowerCase().replace('-', ' ')] ?? NUMBER_WORDS[word[1]!.toLowerCase()] ?? null;
  const product = SESSIONS_PRODUCT.exec(request);
  if (product) return Number(product[1]) * Number(product[2]);
  return null;
}

function readBodyPart(request: string): string | null {
  const match = BODY_PART.exec(request);
  return match ? match[1]!.replace(/\s+/g, ' ').toLowerCase() : null;
}
