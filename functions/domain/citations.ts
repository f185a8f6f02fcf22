import type { Citation, CitationSource } from './determination.ts';
import { repairWords, vocabularyOf } from './fuzzy.ts';

/** Words of guideline citations, so OCR damage does not hide a title or a page range. */
export const GUIDELINE_WORDS = vocabularyOf(
  `Decision based Chronic Treatment Guidelines Medical Acupuncture Postsurgical Official Disability
  American College Occupational Environmental Medicine Edition Chapter Citation Administrator
  Reviewer Physician Expert evidence decision Page(s) Muscle relaxants Opioids criteria Massage
  therapy Utilization Schedule Practice`
    .split(/\s+/)
    .filter((word) => word.length >= 5),
);

const NO_CITATION =
  /did\s+not\s+(?:cite|use|provide|base)|no\s+(?:medical\s+)?(?:evidence|guidelines?)\s+(?:(?:was|were)\s*)?(?:cited|provided)|not\s+cite\s+any/i;
const CITATION_START = /Decision\s+based\s+on\s+|based\s+(?:its|his\/her|his|her|their)\s+decision\s+on\s+(?:the\s+)?/gi;
const PAGES = /\bPage(?:\(s\)|s)?[\s:.]*(\d+(?:\s*-\s*\d+)?(?:\s*(?:,|and|&)\s*\d+(?:\s*-\s*\d+)?)*)/i;
const MTUS_TITLES =
  /^(?:the\s+)?((?:Chronic\s+Pain|Acupuncture|Post-?\s*Surgical)(?:\s+Medical)?\s+Treatment\s+Guidelines(?:\s*\(\d{4}\))?|ACOEM(?:\s+Practice\s+Guidelines)?|American\s+College\s+of\s+Occupational\s+and\s+Environmental\s+Medicine\s*\(ACOEM\)(?:\s*,\s*\d\w*\s+Edition)?(?:\s*(?:,\s*)?\(?\d{4}\)?)?|Official\s+Disability\s+Guidelines\s*\(ODG\))/i;
const NAMED_TITLE = /^(?:the\s+)?([A-Z][^,]*?\((?:ACOEM|ODG|PDR|MTUS)\)(?:\s*,\s*\d\w*\s+Edition)?(?:\s*(?:,\s*)?\(\d{4}\))?)/i;

/**
 * Reads the guideline citations of one party's guideline paragraph ("Decision based on
 * MTUS Chronic Pain Treatment Guidelines Muscle Relaxants Page(s): 63-66."). A paragraph
 * saying nothing was cited gives one NONE citation, so the statement is kept.
 */
export function readCitations(paragraph: string): Citation[] {
  const printed = paragraph.replace(/\s+/g, ' ').trim();
  const text = repairWords(printed, GUIDELINE_WORDS);
  if (text.length === 0) return [];
  const starts = [...text.matchAll(CITATION_START)];
  if (starts.length === 0) {
    if (NO_CITATION.test(text)) return [noneCitation(printed)];
    return [readCitation(text, printed)];
  }
  const citations: Citation[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    const end = i + 1 < starts.length ? starts[i + 1]!.index : text.length;
    const body = text.slice(start.index + start[0].length, end).trim();
    if (body.length === 0) continue;
    // The first citation keeps any preamble ("The Expert Reviewer did not base their decision on the MTUS.").
    const printedFrom = i === 0 ? 0 : start.index;
    citations.push(readCitation(body, starts.length === 1 ? printed : text.slice(printedFrom, end).trim()));
  }
  return citations.length > 0 ? citations : [noneCitation(printed)];
}

function noneCitation(text: string): Citation {
  return { source: 'NONE', title: null, topic: null, pages: null, text };
}

function readCitation(body: string, printed: string): Citation {
  const source = citationSource(body);
  let rest = body
    .replace(/^(?:the\s+)?Non-?\s*MTUS\s+Citation\s*:?\s*/i, '')
    .replace(/^(?:the\s+)?(?:California\s+)?MTUS\s*(?:\(\d{4}\))?\s*[:,-]?\s*/i, '')
    .replace(/(?:,|(?<![\s,]))\s*which\s+(?:is|are)\s+(?:not\s+)?(?:a\s+)?part\s+of\s+(?:the\s+)?MTUS\.?/i, '');
  const pagesMatch = PAGES.exec(rest);
  const pages = pagesMatch ? pagesMatch[1]!.replace(/\s+/g, ' ').replace(/ ?- ?/g, '-').replace(/ ?, ?/g, ', ').trim() : null;
  if (pagesMatch) rest = rest.slice(0, pagesMatch.index) + ' ' + rest.slice(pagesMatch.index + pagesMatch[0].length);
  const titleMatch = MTUS_TITLES.exec(rest) ?? NAMED_TITLE.exec(rest);
  let title: string | null = null;
  if (titleMatch) {
    title = tidy(titleMatch[1]!);
    rest = rest.slice(titleMatch.index + titleMatch[0].length);
  } else if (source !== 'MTUS') {
    const head = /^([^,.]+)/.exec(rest.trim());
    title = head ? tidy(head[1]!) : null;
    rest = head ? rest.trim().slice(head[0].length) : rest;
  }
  const topic = tidy(rest);
  return { source, title: title || null, topic: topic || null, pages, text: printed };
}

/** Which guideline family a citation is from. */
export function citationSource(body: string): CitationSource {
  const nonMtus = /Non-?\s*MTUS|not\s+(?:a\s+)?part\s+of\s+(?:the\s+)?MTUS/i.test(body);
  if (
    !nonMtus &&
    /\bMTUS\b|Medical\s+Treatment\s+Utilization\s+Schedule|Chronic\s+Pain\s+(?:Medical\s+)?Treatment\s+Guidelines|Acupuncture\s+(?:Medical\s+)?Treatment\s+Guidelines|Post-?\s*surgical\s+Treatment/i.test(
      body,
    )
  ) {
    return 'MTUS';
  }
  if (/\bODG\b|Official\s+Disability\s+Guidelines/i.test(body)) return 'ODG';
  if (/\bACOEM\b|American\s+College\s+of\s+Occupational/i.test(body)) return 'ACOEM';
  if (/\bPDR\b|Physicians?'?\s+Desk\s+Reference/i.test(body)) return 'PDR';
  return 'OTHER';
}

function tidy(value: string): string {
  return value
    .replace(/\s+/g, ' ')
    .replace(/^[\s.,;:()-]+|(?<![\s.,;:(-])[\s.,;:(-]+$/g, '')
    .replace(/(?<!\s)\s+([,.;:])/g, '$1')
    .replace(/([,;])(?:\s*[,;])+/g, '$1')
    .replace(/^[\s.,;:()-]+|(?<![\s.,;:(-])[\s.,;:(-]+$/g, '')
    .trim();
}
