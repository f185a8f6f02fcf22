/**
 * What a reading process started ahead of any document practises on, so that V8 has compiled its
 * code before the first real one: V8 compiles a loop well only after it has run hot.
 * - A made-up fax page, put through the page clean-up once by a process of the OCR lane (see
 *   `DocumentReader.practise`): a fresh process cleaned its first page for two to three times the
 *   CPU of its later ones (370 against 150 ms, decode to encoded page).
 * - A made-up letter, read and classified a few dozen times by a process of the fast lane (see
 *   `practiseReading` in `worker.ts`): a fresh process read its first 100 text letters for 4.7 ms
 *   of CPU each, one that had practised on this letter 30 times for 2.9-3.1 ms (one that had read
 *   30 real letters first, for 2.3-2.4 ms; a second made-up layout might close some of that gap).
 * Practised at start, that time is not spent while letters or a backlog wait.
 */
import type { PageRaster } from './raster.ts';

/** A fine fax's page: 1728 pixels wide at 204 dpi, letter height. */
const WIDTH = 1728;
const HEIGHT = 2156;

/**
 * A black-and-white page shaped like a letter: a ruled header, then lines of "words" (bars the
 * height of lower-case letters, some with an ascender), a line every 40 pixels. The same page
 * every time (a fixed pseudo-random sequence).
 */
export function practicePage(): PageRaster {
  const data = new Uint8Array(WIDTH * HEIGHT).fill(255);
  const bar = (left: number, top: number, width: number, height: number) => {
    for (let y = top; y < top + height; y++) data.fill(0, y * WIDTH + left, y * WIDTH + left + width);
  };
  // A header's ruling, long enough to be taken for one and removed.
  bar(150, 140, WIDTH - 300, 3);
  let seed = 7;
  const next = (below: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % below;
  };
  for (let top = 200; top < HEIGHT - 200; top += 40) {
    for (let left = 150; left < WIDTH - 300;) {
      const width = 20 + next(100);
      bar(left, top + 8, width, 16);
      // An ascender in some words: what tells up from down.
      if (next(3) === 0) bar(left + 2, top, 3, 8);
      left += width + 12;
    }
  }
  return { data, width: WIDTH, height: HEIGHT };
}

/**
 * A made-up IMR Final Determination letter in the 2014 layout (the published header block, the
 * reviewer's credentials, three disputed items: two upheld, one overturned), as text
 * extracted from a published PDF gives it (each printed line followed by a blank one, a printed
 * blank line holding a space). It names no one: its case number is made up and
 * the worker is described by age only. The engine reads it CLASSIFIED (a unit test holds it to that).
 */
export function practiceLetter(): string {
  return [
    'Case Number: CM15-0000000 Date Assigned: 01/05/2015',
    'Date of Injury: 03/04/2012 Decision Date: 02/02/2015',
    'UR Denial Date: 12/10/2014 Priority: Standard',
    'Application Received: 12/22/2014',
    '',
    'HOW THE IMR FINAL DETERMINATION WAS MADE',
    'MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no',
    'affiliation with the employer, employee, providers or the claims administrator.',
    '',
    'The Expert Reviewer has the following credentials:',
    'State(s) of Licensure: California',
    'Certification(s)/Specialty: Physical Medicine & Rehabilitation',
    '',
    'CLINICAL CASE SUMMARY',
    'The injured worker is a 48 year old female who sustained an industrial injury on 3/4/12.',
    'The diagnoses included lumbar radiculopathy and chronic pain. Treatments to date include',
    'physical therapy and oral medication. On 12/10/14 Utilization Review non-certified the requests.',
    '',
    'IMR ISSUES, DECISIONS AND RATIONALES',
    'The Final Determination was based on decisions for the disputed items/services set forth below:',
    '',
    'Tramadol 50mg #60: Upheld',
    '',
    'Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines.',
    '',
    'MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Opioids,',
    'criteria for use Page(s): 76-80.',
    '',
    'Decision rationale: Regarding the request for Tramadol, guidelines recommend documentation of',
    'analgesic effect and objective functional improvement for ongoing opioid use. Within the',
    'documentation available for review, there is no such documentation. As such, the currently',
    'requested Tramadol is not medically necessary.',
    '',
    'Physical therapy 2 times a week for 4 weeks for the lumbar spine: Overturned',
    '',
    'Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines.',
    '',
    'MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Physical',
    'Medicine Page(s): 98-99.',
    '',
    'Decision rationale: Guidelines support up to 10 sessions of physical medicine for radiculitis.',
    'The injured worker has a new flare of radicular pain and has not had therapy in the past year.',
    'Therefore, the request is medically necessary.',
    '',
    'MRI of the lumbar spine without contrast: Upheld',
    '',
    'Claims Administrator guideline: Decision based on ACOEM Practice Guidelines.',
    '',
    'MAXIMUS guideline: Decision based on ACOEM Low Back Complaints, Chapter 12, page 303.',
    '',
    'Decision rationale: Imaging is recommended when there are unequivocal objective findings of',
    'specific nerve compromise on the neurologic examination. No such findings are documented, so',
    'the request for an MRI of the lumbar spine is not medically necessary.',
    '',
  ]
    .map((line) => `${line || ' '}\n\n`)
    .join('');
}
