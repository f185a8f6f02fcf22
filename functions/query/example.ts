import { classifyLetter } from '../domain/index.ts';
import { deadlineView, rationaleConclusions } from '../domain/index.ts';
import { needsReview } from '../domain/index.ts';
import type { StoredDetermination } from '../service/ports.ts';

/** A made-up letter in the 2014 layout: the source of the API document's examples. */
const EXAMPLE_LETTER = `Case Number: CM15-0012345   Date Assigned: 01/05/2015
Decision Date: 01/21/2015

HOW THE IMR FINAL DETERMINATION WAS MADE
MAXIMUS Federal Services sent the complete case file to an expert reviewer.
State(s) of Licensure: California
Certification(s)/Specialty: Orthopaedic Surgery

CLINICAL CASE SUMMARY
The injured worker is a 52 year old male who sustained an industrial injury on 3/4/2012.

IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

Norco 10/325mg #90: Upheld

Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines.

MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): 60.

Decision rationale: There is no documentation of functional improvement. The request is not medically necessary.

Physical therapy 2x6 for the lumbar spine: Overturned

Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines.

MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): 60.

Decision rationale: The guidelines support this treatment for the documented condition. The request is medically necessary.
`;

/**
 * A stored Determination as the API answers it, read by the engine from a made-up letter
 * received Friday 2015-01-23: real output, so the examples can never drift from the schema
 * (Redocly checks them against it).
 */
export function exampleDetermination(): StoredDetermination {
  const determination = classifyLetter(EXAMPLE_LETTER);
  const receivedAt = '2015-01-23T17:30:00.000Z';
  const id = '62c781d57eff4a0f9d3c6b1e2a7f80c4d5b6e7f8091a2b3c4d5e6f708192a3b4';
  const { receivedOn, deadlines } = deadlineView(determination, receivedAt, null);
  return {
    ...determination,
    id,
    receivedAt,
    needsReview: needsReview(determination),
    sourceKeys: ['imr-inbox/2015/letter CM15-0012345.pdf'],
    revision: 1,
    receivedOn,
    deadlines,
    conclusions: rationaleConclusions(determination),
  } as StoredDetermination;
}
