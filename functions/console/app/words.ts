/** Plain words for what the service records, for a person who is not an integrator. */
import type { Flag } from '../../domain/determination.ts';
import { fileNameOf } from '../../common/source-keys.ts';

/** What each flag means to the person checking the letter, and what to look at. */
export const FLAG_WORDS: Record<Flag, string> = {
  DECISION_CONFLICTS_WITH_RATIONALE:
    'The decision printed for this item disagrees with what its rationale concludes. Read the rationale and set the decision it supports.',
  LOW_CONFIDENCE: 'Part of this was hard to read (a poor scan or garbled text). Check the request and decision against the page.',
  ITEM_COUNT_MISMATCH: 'The letter lists a different number of items than were found. Check that no item is missing or doubled.',
  UNKNOWN_TREATMENT: 'The treatment was not recognised, so its class is a guess. Set the right category.',
  INCOMPLETE: 'The letter seems to have arrived cut short (missing pages or an unfinished item). Check the original for the missing part.',
};

/** "OVERTURNED" -> "Overturned", "PARTIALLY_OVERTURNED" -> "Partially overturned". */
export function label(code: string | null | undefined): string {
  if (!code) return '—';
  const words = code.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The file that delivered a document first. */
export function fileName(sourceKeys: readonly string[] | undefined): string {
  const key = sourceKeys?.[0];
  return key ? fileNameOf(key) : '(no file)';
}

/** A timestamp as a local date and time, a date as written. */
export function when(value: string | null | undefined): string {
  if (!value) return '—';
  if (value.length === 10) return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A confidence as a percentage. */
export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** Today in America/Los_Angeles (the day deadlines are counted in), as yyyy-mm-dd. */
export function todayInCalifornia(now: Date = new Date()): string {
  return now.toLocaleDateString('en-CA', { timeZone: 'America/Los_Angeles' });
}

/** How far a deadline's day is from today, in words: "3 days left", "due today", "2 days overdue". */
export function daysLeft(due: string, today: string = todayInCalifornia()): { words: string; overdue: boolean; soon: boolean } {
  const days = Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  if (days < 0) return { words: `${-days} day${days === -1 ? '' : 's'} overdue`, overdue: true, soon: false };
  if (days === 0) return { words: 'due today', overdue: false, soon: true };
  return { words: `${days} day${days === 1 ? '' : 's'} left`, overdue: false, soon: days <= 7 };
}

/** An item field, in the screen's words. */
const ITEM_FIELDS: Record<string, string> = { decision: 'decision', category: 'category', subcategory: 'subcategory', request: 'request' };
/** A letter field (or what a review records), in the screen's words. */
const LETTER_FIELDS: Record<string, string> = {
  caseNumber: 'Case number',
  outcome: 'Outcome',
  receivedOn: 'Day received',
  receivedOnConfirmed: 'Day received confirmed (its caution cleared)',
  reviewedBy: 'Confirmed by',
  sameLetterAs: 'Linked to another form of the letter',
  status: 'Status',
  engineVersion: 'Engine version',
  'dates.decision': 'Decision date',
  'dates.injury': 'Date of injury',
  'dates.urDecision': 'UR decision date',
  'dates.received': 'Application received',
  'dates.assigned': 'Date assigned',
};

/** A history change's path as the screen names it: `items[0].request` is "Item 1 request". */
export function changedField(path: string): string {
  const item = /^items\[(\d+)\]\.(\w+)$/.exec(path);
  if (item) return `Item ${Number(item[1]) + 1} ${ITEM_FIELDS[item[2]!] ?? item[2]}`;
  return LETTER_FIELDS[path] ?? path;
}

/** A document's reason in a person's words: what happened, and what to do about it. */
export interface ReasonWords {
  readonly what: string;
  readonly todo: string;
}

/** Every page's worth of advice about a scan, said once. */
const RESCAN = 'scan it again (straight, 200 to 300 dpi, black and white) and upload that';
const SAVE_AS_PDF = 'open it in the program that made it, save or print it as PDF, and upload the PDF';

/**
 * Words for every code a FAILED or UNRECOGNIZED document's reason starts with (`CODE: detail`):
 * the reader's, the reading processes', Textract's and the service's own. A unit test fails when
 * the service can record a code that has none here.
 */
export const REASON_WORDS: Readonly<Record<string, ReasonWords>> = {
  // The reader: the document itself.
  NOT_FOUND: { what: 'The file was not found.', todo: 'Upload it again.' },
  NOT_A_FILE: { what: 'What was sent is not a file (a folder or a device).', todo: 'Upload the file itself.' },
  EMPTY: {
    what: 'The file is empty: it holds no pages and no text.',
    todo: 'The scan or download did not finish: get the file again from where it came and upload it.',
  },
  TOO_LARGE: { what: 'The file is larger than one letter may be.', todo: `Split it into its letters, or ${RESCAN}.` },
  BINARY: {
    what: 'This kind of file is not read: only PDF, TIFF, PNG, JPEG and text files are.',
    todo: `If a letter is in it, ${SAVE_AS_PDF}. If it is not a letter, delete it.`,
  },
  CORRUPT: {
    what: 'The file is damaged or cut short, so it cannot be opened.',
    todo: 'Get a fresh copy from the sender (or download it again) and upload it.',
  },
  ENCRYPTED: {
    what: 'The PDF is locked with a password.',
    todo: 'Open it with its password, save a copy without one (Print, then Save as PDF), and upload that.',
  },
  TOO_MANY_PAGES: { what: 'The file has more pages than one document may have.', todo: 'Split it into its letters and upload each.' },
  IMAGE_TOO_SMALL: { what: 'The image is too small to read.', todo: `${capital(RESCAN)}.` },
  PAGE_TOO_LARGE: { what: 'A page is too large an image to read.', todo: `${capital(RESCAN)}.` },
  OCR_BUDGET: {
    what: 'The scan has more pages, or takes longer to read, than one letter may (100 scanned pages, 10 minutes).',
    todo: 'Split it into its letters and upload each, or ask the sender for the letter as a PDF with text.',
  },
  RESOURCE_LIMIT: {
    what: 'Reading the file would take far more memory or work than a letter needs: it may be damaged, or built to break readers.',
    todo: 'Get a fresh copy from the sender, or print it to PDF and upload that.',
  },
  OCR_FAILED: { what: 'The text of a scanned page could not be read.', todo: `Retry. If it fails again, ${RESCAN}.` },
  TEXTRACT_FAILED: { what: 'Amazon Textract could not read the scan.', todo: `Upload it again. If it fails again, ${RESCAN}.` },
  TEXTRACT_IN_PROGRESS: {
    what: 'The Textract file was saved before Textract had finished reading.',
    todo: 'Save the finished result (its JobStatus is SUCCEEDED) and upload that.',
  },
  // The reading processes: stopped, the document being the likely cause.
  TIME_LIMIT: { what: 'Reading took longer than one document may, so it was stopped.', todo: 'Retry. If it stops again, split the document into its letters.' },
  MEMORY_LIMIT: {
    what: 'Reading needed more memory than one document may use, so it was stopped.',
    todo: `Retry. If it stops again, ${RESCAN}, or split it into its letters.`,
  },
  READER_CRASHED: {
    what: 'The reader stopped while reading this file: the file may be damaged.',
    todo: 'Retry. If it stops again, get a fresh copy, or print it to PDF and upload that.',
  },
  READING_PROCESS_FAILED: { what: 'The service failed while reading this file (not the file’s fault).', todo: 'Retry.' },
  // Textract's jobs (on AWS).
  JOB_FAILED: { what: 'Amazon Textract could not read the scan.', todo: `${capital(RESCAN)}.` },
  JOB_IN_PROGRESS: { what: 'Amazon Textract had not finished reading the scan.', todo: 'Upload it again.' },
  JOB_TIMEOUT: { what: 'Amazon Textract took too long to read the scan.', todo: 'Upload it again.' },
  JOB_UNKNOWN: { what: 'Amazon Textract no longer knows the job that read this scan (it keeps results 7 days).', todo: 'Upload it again.' },
  THROTTLED: { what: 'Amazon Textract was too busy to read the scan.', todo: 'Upload it again.' },
  UNREADABLE_RESPONSE: { what: 'Amazon Textract’s answer could not be read.', todo: 'Upload it again.' },
  UNSUPPORTED_DOCUMENT: { what: 'Amazon Textract does not read this kind of file.', todo: `${capital(SAVE_AS_PDF)}.` },
  // The service.
  PROCESSING_FAILED: {
    what: 'The service failed to process this file after several tries (not the file’s fault).',
    todo: 'Retry. If it fails again, the service’s log says why.',
  },
  DISK_FULL: { what: 'The disk the service writes to was full.', todo: 'Free some space on this machine, then Retry.' },
  TOO_MANY_LETTERS: { what: 'The file holds more letters than one file may (50).', todo: 'Split it into smaller files and upload them.' },
  OCR_LOST: { what: 'The scan was sent for OCR, but the job was lost.', todo: 'Upload it again.' },
  OCR_TIMEOUT: { what: 'OCR of the scan did not finish within a day.', todo: 'Upload it again.' },
  // Read, but not a letter the service reads.
  UNRECOGNIZED: {
    what: 'It was read, but it is not an IMR Final Determination letter.',
    todo: 'If it is one, open it and check its text against the original (a poor scan can hide its headings), then scan it again. If it is not (an invoice, a notice), dismiss it or delete it.',
  },
  // A failure recorded with no code (the state's own reason).
  FAILED: { what: 'It could not be read.', todo: 'Retry, or upload a better copy.' },
};

/** Particular cases of a code, told by the reason's words or the file's name. */
const REASON_CASES: ReadonlyArray<{ code: string; test: (detail: string, fileNames: readonly string[]) => boolean; words: ReasonWords }> = [
  {
    code: 'BINARY',
    test: (detail, fileNames) => /Word document/.test(detail) || fileNames.some((name) => /\.docx?$/i.test(name)),
    words: {
      what: 'A Word document is not read: only PDF, TIFF, PNG, JPEG and text files are.',
      todo: 'Open it in Word, choose File, Save As (or Print), save it as PDF, and upload the PDF.',
    },
  },
  {
    code: 'UNRECOGNIZED',
    test: (detail) => /utilization review notice/.test(detail),
    words: {
      what: 'It is a utilization review (UR) notice, not an IMR Final Determination.',
      todo: 'File it with its case; there is nothing here to read. Dismiss it.',
    },
  },
  {
    code: 'UNRECOGNIZED',
    test: (detail) => /has no text|no readable sentences/.test(detail),
    words: {
      what: 'Too little of it reads as a letter: a blank page, a very poor scan, or not a letter at all.',
      todo: `Open it to see what was read. If it is a letter, ${RESCAN}; if it is not, dismiss it or delete it.`,
    },
  },
  {
    code: 'UNRECOGNIZED',
    test: (detail) => /may be truncated/.test(detail),
    words: {
      what: 'It looks like an IMR letter, but no decision could be read: it may be cut short.',
      todo: 'Check the original for missing pages, and upload the whole letter.',
    },
  },
];

/** `BINARY: document: binary data...` -> its code and its detail (`binary data...`). */
export function reasonParts(reason: string | null | undefined): { code: string | null; detail: string } {
  const text = reason ?? '';
  const code = /^[A-Z][A-Z0-9_]*:/.exec(text)?.[0];
  if (!code) return { code: null, detail: text };
  const detail = text.slice(code.length).trimStart();
  return { code: code.slice(0, -1), detail: detail.startsWith('document: ') ? detail.slice('document: '.length) : detail };
}

/**
 * A document's reason in words, with what to do: by its code (and, for some, its detail or its
 * file's name: a `.docx` is told to be saved as PDF), with the detail the service gave (page
 * numbers, limits) where the words do not already say it. A code with no words yet still says
 * what the service recorded.
 */
export function reasonInWords(reason: string | null | undefined, fileNames: readonly string[] = []): ReasonWords & { readonly detail: string } {
  const { code, detail } = reasonParts(reason);
  const particular = REASON_CASES.find((entry) => entry.code === code && entry.test(detail, fileNames));
  // A particular case's words say all its detail did.
  if (particular) return { ...particular.words, detail: '' };
  const words = code ? REASON_WORDS[code] : undefined;
  if (words) return { ...words, detail };
  return { what: 'It could not be read.', todo: 'Retry, or upload a better copy.', detail: reason ?? '' };
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
