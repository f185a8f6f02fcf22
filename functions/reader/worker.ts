/**
 * A reading process of the {@link ReadingPool}: reads one document at a time with its own
 * {@link DocumentReader} (its own PDF engine and OCR engine), so that a document that makes an
 * engine abort, exhaust memory or run too long takes only this process down. Started by the
 * pool with `fork`; speaks to it over the IPC channel (advanced serialisation: bytes travel as bytes).
 */
import { DocumentReader, readingContext, type DocumentText, type PageProgressListener } from './read-document.ts';
import { classifyDocument, type LetterReading } from '../domain/index.ts';
import { InputError } from './errors.ts';
import { renderPage } from './pages.ts';
import { practiceLetter } from './practice.ts';
import { createLocalRecognizer, TesseractCli } from '../adapters/tesseract/recognizer.ts';

/** What the pool sends a reading process: a document to read, or (with `page`) one page to render as PNG for a person. */
export interface ReadingTask {
  readonly bytes: Uint8Array;
  readonly name: string;
  /** False: stop short of OCR (a scan answers `null`). */
  readonly ocr: boolean;
  /** A page to render (from 1) instead of reading the document. */
  readonly page?: number;
}

/** What a reading process says while it reads: how many of the document's pages are read. */
export interface ReadingProgressMessage {
  readonly progress: { readonly pagesRead: number; readonly pages: number };
}

/** What a reading process answers: the text, or why the document cannot be read (errors cannot cross processes with their class). */
export type ReadingAnswer =
  | { readonly ok: true; readonly document: (DocumentText & { readonly letters: readonly LetterReading[] }) | null; readonly png?: Uint8Array }
  | { readonly ok: false; readonly code: InputError['code']; readonly message: string }
  | { readonly ok: false; readonly code: null; readonly name: string };

/** Reads one document; `onProgress` hears of its pages as they are read by OCR. */
export async function readTask(reader: DocumentReader, task: ReadingTask, onProgress?: PageProgressListener): Promise<ReadingAnswer> {
  try {
    if (task.page !== undefined) return { ok: true, document: null, png: await renderPage(task.bytes, task.page, task.name) };
    const document = task.ocr ? await reader.read(task.bytes, task.name, onProgress) : await reader.readWithoutOcr(task.bytes, task.name);
    // Classified here too: the letter engine's time on a long text is this process's, not the service's.
    return { ok: true, document: document && { ...document, letters: classifyDocument(document.text, readingContext(document)) } };
  } catch (error) {
    if (error instanceof InputError) return { ok: false, code: error.code, message: error.message };
    // Only the error's name crosses: a message could quote the document.
    return { ok: false, code: null, name: (error as Error)?.name ?? 'Error' };
  }
}

/** How many times a fast-lane process reads the practice letter after it is ready (about 0.3 s of CPU from cold: see `practice.ts`). */
export const PRACTICE_LETTERS = 30;

/**
 * Reads and classifies the practice letter up to `rounds` times, as a text document is read,
 * yielding to the event loop between readings and stopping once `stop()` says a real document
 * came (which warms the same code). Answers how many were read.
 */
export async function practiseReading(reader: DocumentReader, rounds: number, stop: () => boolean): Promise<number> {
  const bytes = Buffer.from(practiceLetter(), 'latin1');
  let read = 0;
  while (read < rounds && !stop()) {
    await readTask(reader, { bytes, name: 'practice.txt', ocr: false });
    read++;
    // A real document's message is taken between two practice readings, never behind them all.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return read;
}

// Only in a process the pool started (a test runner's own fork has an IPC channel too).
if (process.send && process.env.IMR_READING_PROCESS === '1') {
  const pagesAtOnce = Math.max(1, Number(process.env.IMR_OCR_PAGES_AT_ONCE ?? 1));
  const pageDirectory = process.env.IMR_OCR_PAGE_DIRECTORY || undefined;
  // A process of the pool that OCRs (the one given a page folder) starts its engines now, while it is small (see TesseractCli.start).
  const recognizer = pageDirectory ? createLocalRecognizer(pagesAtOnce, pageDirectory) : null;
  if (recognizer instanceof TesseractCli) recognizer.start(pagesAtOnce);
  const reader = new DocumentReader(() => recognizer ?? createLocalRecognizer(pagesAtOnce), pagesAtOnce);
  // The pool gone (the service stopped or died): nothing left to read for. Checked on a timer too, between
  // a reading's slices of work; the next start stops a process whose reading never yields.
  process.on('disconnect', () => process.exit(0));
  const servicePid = process.ppid;
  setInterval(() => {
    if (process.ppid !== servicePid || !process.connected) process.exit(0);
  }, 1000).unref();
  let tasks = 0;
  process.on('message', (task: ReadingTask) => {
    tasks++;
    // Each page read is told to the pool as it is (one small message a page: a page takes a second or more).
    const progress: PageProgressListener = (pagesRead, pages) => process.send!({ progress: { pagesRead, pages } } satisfies ReadingProgressMessage);
    void readTask(reader, task, progress).then((answer) => process.send!(answer));
  });
  // Started ahead of any document (with the service): a process that OCRs cleans the practice page once now, while nothing
  // waits for it; another reads the practice letter once it is ready, giving way to the first real document.
  // A practice that fails costs only speed: the first document is read as it would have been.
  const practise = process.env.IMR_PRACTISE === '1';
  if (practise && pageDirectory) await reader.practise().catch(() => undefined);
  process.send({ ready: true });
  if (practise && !pageDirectory) await practiseReading(reader, PRACTICE_LETTERS, () => tasks > 0).catch(() => undefined);
}
