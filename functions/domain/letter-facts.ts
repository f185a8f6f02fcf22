import type { ClassifiedDetermination } from './determination.ts';
import { repairWords, vocabularyOf } from './fuzzy.ts';

/** Letter-level facts read outside the items: case, dates, reviewer, employee. */
export type LetterFacts = Pick<ClassifiedDetermination, 'caseNumber' | 'dates' | 'reviewer' | 'employee'>;

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
/** A month written in words: in full, or its three-letter abbreviation (`Sept` too), a period allowed. */
const MONTH = String.raw`(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`;
/** A date as numbers (`11/7/00`) or in words (`October 1, 2003`, `December 1st, 2014`). */
const DATE = String.raw`(\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}|` + MONTH + String.raw`\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})`;
// OCR may split the digits with a space (`CM17-001 2517`): one space inside seven digits is layout, not doubt (a stray mark after
// seven whole digits, `CM16-0213037 7`, is not joined to them); the form is checked after.
const CASE_NUMBER = /\b(?:IMR\s+)?Case\s*(?:Number|No\.?|#)\s*(?::\s*)?(C\s*[MN]\s*\d{2}\s*-\s*(?:\d{2,6} \d{1,5}|\d{5,8}))(?!\d)|\b(CM\d{2}-\d{5,8})\b/i;

/**
 * Between a label and its value: a colon and spaces, or on a scan of the boxed header, what is
 * left of a cell's ruling (`Date Assigned: — 12/21/2016`, `UR Denial Date: = 12/12/2016`,
 * `Decision Date: _ 02/06/2017`), a lone letter among its marks included (`Application = =—s- 01/24/2017`).
 */
const GAP = String.raw`\s*(?:(?:[^\w\s]|_|[a-z](?=[^\w\s]))\s*){0,6}`;

/** Header-block labels (published block and 2013 cover), each followed by its date. */
const LABELLED_DATES: ReadonlyArray<[keyof LetterFacts['dates'], RegExp]> = [
  ['injury', new RegExp(String.raw`Date\s+of\s+Injury` + GAP + DATE, 'i')],
  ['urDecision', new RegExp(String.raw`(?:UR\s+(?:Denial|Decision)\s+Date|Date\s+of\s+UR\s+(?:Decision|Denial))` + GAP + DATE, 'i')],
  ['received', new RegExp(String.raw`(?:Application\s+Received|Date\s+(?:IMR\s+)?Application\s+Received|Received\s+Date)` + GAP + DATE, 'i')],
  // The published header's cell as OCR reads a scan of it: the label wraps around its value ("Application 11/03/2016" / "Received:").
  ['received', new RegExp(String.raw`\bApplication` + GAP + DATE + String.raw`[\W_]{1,8}(?:[a-z0-9]{1,2}[\W_]{1,4})?Received\b`, 'i')],
  ['assigned', new RegExp(String.raw`Date\s+Assigned` + GAP + DATE, 'i')],
  ['decision', new RegExp(String.raw`(?:Decision\s+Date|Date\s+of\s+(?:Final\s+)?Determination|\bDated\s*:)` + GAP + DATE, 'i')],
  // The 2013 notice: "An application for Independent Medical Review was filed on <date> disputing the Utilization Review Denial dated <date>".
  ['received', new RegExp(String.raw`Independent\s+Medical\s+Review\s+was\s+filed\s+on\s+` + DATE, 'i')],
  ['urDecision', new RegExp(String.raw`Utilization\s+Review\s+(?:Denial|Determination|Decision)\s+dated\s+` + DATE, 'i')],
];

/** Narrative sentences of the clinical case summary that carry a date. */
const NARRATIVE_DATES: ReadonlyArray<[keyof LetterFacts['dates'], RegExp]> = [
  [
    'injury',
    new RegExp(
      String.raw`(?:industrial\s+injury|injury\s+date|date\s+of\s+injury|injur(?:y|ed)|reported\s+an\s+injury|was\s+injured)(?:\s+(?:on|of|dated|date\s+of))?[\s:]+` +
        DATE,
      'i',
    ),
  ],
  [
    'urDecision',
    new RegExp(
      String.raw`On\s+` +
        DATE +
        String.raw`(?:\s*,)?\s+(?:the\s+)?Utilization\s+Review|utilization\s+review\s+(?:determination|decision|denial|report)[^.]{0,40}?dated\s+` +
        DATE,
      'i',
    ),
  ],
];

const AGE_SEX = /\b(\d{1,3})[-\s]+(?:year|yr)s?[-\s]+old,?\s+(?:(?:right|left)[-\s]+hand(?:ed)?\s+)?(male|female|man|woman|gentleman|lady)\b/i;

/**
 * Reads the letter-level facts from the whole normalised letter. `raw` is the text before
 * page furniture was removed: a case number printed only as a running header is still the
 * letter's case number.
 */
export function readLetterFacts(prose: string, raw: string): LetterFacts {
  const caseMatch = CASE_NUMBER.exec(prose) ?? CASE_NUMBER.exec(raw);
  const caseNumber = caseMatch ? (caseMatch[1] ?? caseMatch[2])!.replace(/\s+/g, '').toUpperCase().replace(/^CN/, 'CM') : null;
  const dates: LetterFacts['dates'] = { injury: null, urDecision: null, received: null, assigned: null, decision: null };
  for (const [field, pattern] of LABELLED_DATES) dates[field] ??= isoDate(pattern.exec(prose)?.[1]);
  for (const [field, pattern] of NARRATIVE_DATES) {
    if (dates[field] !== null) continue;
    const match = pattern.exec(prose);
    dates[field] = isoDate(match?.slice(1).find((group) => group !== undefined));
  }
  return { caseNumber, dates, reviewer: readReviewer(prose), employee: readEmployee(prose) };
}

/**
 * A US date (`11/7/00`, `08/07/2010`) as ISO `yyyy-mm-dd`, or null when it is not a real
 * date. Two-digit years are read in the window 1950-2049.
 */
export function isoDate(written: string | undefined): string | null {
  if (!written) return null;
  const inWords = /^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/.exec(written.trim());
  if (inWords) {
    const month = MONTH_NAMES.findIndex((name) => name.startsWith(inWords[1]!.toLowerCase().slice(0, 3))) + 1;
    return month === 0 ? null : isoDate(`${month}/${inWords[2]}/${inWords[3]}`);
  }
  const parts = written.replace(/\s+/g, '').split(/[/.-]/).map(Number);
  if (parts.length !== 3 || parts.some((part) => !Number.isInteger(part))) return null;
  const [month, day, rawYear] = parts as [number, number, number];
  const year = rawYear < 100 ? (rawYear < 50 ? 2000 + rawYear : 1900 + rawYear) : rawYear;
  if (month < 1 || month > 12 || day < 1 || year < 1950 || year > 2099) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const CREDENTIAL_WORDS = vocabularyOf(['Board', 'Certified', 'subspecialty', 'licensed', 'practice', 'Specialty', 'Licensure', 'Certification']);

/** A label's value, continued on the next line when the line ends mid-phrase (`Medicine &`). */
function labelValue(prose: string, label: RegExp): string | undefined {
  const match = new RegExp(label.source + String.raw`\s*:?\s*([^\n]+)((?:\n[^\n]+)?)`, 'i').exec(prose);
  if (!match) return undefined;
  const value = match[1]!.trim();
  return /(?:[&,/-]|\band)$/i.test(value) ? `${value} ${match[2]!.trim()}` : value;
}

/**
 * The passages that state the reviewer's credentials: everything before the case summary
 * and, in the earliest layout, the qualifications section at the end.
 */
function credentialPassages(raw: string): string {
  const summaryAt = raw.search(/CLINICAL\s+CASE\s+SUMMARY|CASE\s+SUMMARY/i);
  const head = raw.slice(0, summaryAt > 0 ? summaryAt : 4000);
  const qualificationsAt = raw.search(/MEDICAL\s+REVIEWER\s+QUALIFICATIONS/i);
  const tail = qualificationsAt > 0 ? raw.slice(qualificationsAt, qualificationsAt + 2000) : '';
  return `${head}\n${tail}`;
}

function readReviewer(raw: string): LetterFacts['reviewer'] {
  const passages = credentialPassages(raw);
  const reviewer = readCredentials(passages);
  // The labelled form never states subspecialties; the sentence form may.
  const complete = reviewer.licensure.length > 0 && reviewer.specialties.length > 0 && (reviewer.subspecialties.length > 0 || /Licensure\s*:/i.test(passages));
  if (complete) return reviewer;
  // Only when the plain reading misses something is it worth reading through OCR damage.
  return readCredentials(repairWords(passages, CREDENTIAL_WORDS));
}

function readCredentials(prose: string): LetterFacts['reviewer'] {
  const licensure = labelValue(prose, /State\(?s?\)?\s+of\s+Licensure/);
  const specialty = labelValue(prose, /Certification\(?s?\)?\s*\/\s*Specialty/);
  if (licensure || specialty) {
    return { licensure: list(licensure), specialties: list(specialty), subspecialties: [] };
  }
  const sentence = prose.replace(/\s+/g, ' ');
  const board = /\b(?:is\s+)?Board\s+Certified\s+in\s+(\S.*?)(?:,\s*(?:has|and|is)\b|(?<!\s)\s+and\s+(?:has|is)\b|\.(?:\s|$))/i.exec(sentence);
  const sub = /\bsub-?specialt(?:y|ies)\s+in\s+(\S.*?)(?:,\s*(?:and\s+)?(?:is|has)\b|(?<!\s)\s+and\s+(?:is|has)\b|\.\s)/i.exec(sentence);
  const licensed = /\blicensed\s+to\s+practice\s+in\s+(\S.*?)\.(?:\s|$)/i.exec(sentence);
  return { licensure: list(licensed?.[1]), specialties: list(board?.[1]), subspecialties: list(sub?.[1]) };
}

function list(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(/(?<!\s)\s*(?:,|;|\band\b(?!\s+(?:Rehabilitation|Gynecology|Neurology|Environmental)))\s*/i)
    .map((part) =>
      part
        .replace(/^(?:and|the\s+state\s+of|state\s+of)\s+/i, '')
        .replace(/(?<![.\s])[.\s]+$/, '')
        .trim(),
    )
    .filter((part) => part.length > 1);
}

function readEmployee(prose: string): LetterFacts['employee'] {
  const match = AGE_SEX.exec(prose);
  if (!match) return { age: null, sex: null };
  const age = Number(match[1]);
  const word = match[2]!.toLowerCase();
  const sex = word === 'male' || word === 'man' || word === 'gentleman' ? 'male' : 'female';
  return { age: age > 0 && age < 120 ? age : null, sex };
}
