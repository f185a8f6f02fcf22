/**
 * What the guideline a reviewer cited says about the treatment: the MTUS and ODG topics and
 * sections each belong to a kind of treatment ("Topical Analgesics" to drugs, "Special Studies"
 * to diagnostic tests, "Physical Medicine" to rehabilitation, "Surgical Considerations" to
 * surgery). A table, grown from the published decisions' citations, not special cases in code.
 *
 * A citation naming several sections ("Physician Methods, Special Studies, Surgical
 * Considerations") places the item in any of their kinds; a section that names no kind
 * ("Summary", "Introduction", "Initial Care") is no evidence either way.
 */
import type { Category, Classification } from './taxonomy.ts';

/** One row: the words of a topic or section, the kinds of treatment it covers, and the class it gives an item nothing else places. */
interface TopicRow {
  readonly words: RegExp;
  readonly categories: readonly Category[];
  /** The class an otherwise unknown item takes from this topic alone; absent where the topic covers several kinds. */
  readonly places?: Classification;
}

/**
 * The topics, most specific first. Where a section covers more than one kind (the opioid
 * guideline's urine drug testing, a drug's GI prophylaxis), every kind is listed.
 */
const TOPICS: readonly TopicRow[] = [
  { words: /\btopical\s+analgesics?\b/i, categories: ['PHARMACEUTICAL'], places: { category: 'PHARMACEUTICAL', subcategory: 'TOPICAL_ANALGESIC' } },
  { words: /\bopioids?\b|\bopiates?\b/i, categories: ['PHARMACEUTICAL', 'DIAGNOSTIC_TESTING'] },
  {
    words: /\bmuscle\s+relaxants?\b|\bcyclobenzaprine\b|\bantispasmodic/i,
    categories: ['PHARMACEUTICAL'],
    places: { category: 'PHARMACEUTICAL', subcategory: 'MUSCLE_RELAXANT' },
  },
  { words: /\bnsaids?\b|\bnon-?steroidal\b/i, categories: ['PHARMACEUTICAL'] },
  { words: /\bproton\s+pump\b|\bppis?\b/i, categories: ['PHARMACEUTICAL'], places: { category: 'PHARMACEUTICAL', subcategory: 'GASTROINTESTINAL' } },
  {
    words: /\bantidepressants?\b|\btca'?s\b|\bssris?\b/i,
    categories: ['PHARMACEUTICAL'],
    places: { category: 'PHARMACEUTICAL', subcategory: 'ANTIDEPRESSANT' },
  },
  {
    words: /\banti-?(?:epilepsy|convulsant)|\baeds?\b/i,
    categories: ['PHARMACEUTICAL'],
    places: { category: 'PHARMACEUTICAL', subcategory: 'ANTICONVULSANT' },
  },
  { words: /\bbenzodiazepines?\b/i, categories: ['PHARMACEUTICAL'], places: { category: 'PHARMACEUTICAL', subcategory: 'BENZODIAZEPINE' } },
  { words: /\binsomnia\b|\bhypnotics?\b/i, categories: ['PHARMACEUTICAL'], places: { category: 'PHARMACEUTICAL', subcategory: 'SLEEP_AID' } },
  { words: /\bmedical\s+foods?\b/i, categories: ['PHARMACEUTICAL'], places: { category: 'PHARMACEUTICAL', subcategory: 'MEDICAL_FOOD' } },
  { words: /\bmedications?\s+for\s+chronic\s+pain\b|\banalgesic\s+agents?\b|\bdrug\s+information\b/i, categories: ['PHARMACEUTICAL'] },
  {
    words: /\belectrodiagnostic\b|\bemg\b|\bncs\b|\bnerve\s+conduction\b|\belectroencephalograph|\belectromyograph/i,
    categories: ['DIAGNOSTIC_TESTING'],
    places: { category: 'DIAGNOSTIC_TESTING', subcategory: 'ELECTRODIAGNOSTIC' },
  },
  {
    words: /\bspecial\s+studies\b|\bmri\b|\bmagnetic\s+resonance\b|\bx-?rays?\b|\bcomputed\s+tomography\b|\bct\b|\bbone\s+scan\b|\bimaging\b|\bradiograph/i,
    categories: ['DIAGNOSTIC_TESTING'],
  },
  { words: /\bpre-?operative\s+(?:lab\s+)?testing\b|\blab(?:oratory)?\s+test/i, categories: ['DIAGNOSTIC_TESTING'] },
  { words: /\bacupuncture\b/i, categories: ['REHABILITATION'], places: { category: 'REHABILITATION', subcategory: 'ACUPUNCTURE' } },
  { words: /\bmassage\b/i, categories: ['REHABILITATION'], places: { category: 'REHABILITATION', subcategory: 'MASSAGE' } },
  { words: /\baquatic\s+therapy\b/i, categories: ['REHABILITATION'], places: { category: 'REHABILITATION', subcategory: 'AQUATIC_THERAPY' } },
  { words: /\bmanual\s+therapy\b|\bmanipulation\b|\bchiropractic\b/i, categories: ['REHABILITATION'] },
  // "Physician" is how some published letters print ODG's "Physical Therapy" and MTUS's "Physical Medicine".
  { words: /\bphysi(?:cal|cian)\s+(?:medicine|therapy)\b|\boccupational\s+therapy\b|\bpost-?surgical\s+treatment\b/i, categories: ['REHABILITATION'] },
  { words: /\bepidural\b|\bfacet\b|\btrigger\s+point\b|\bnerve\s+blocks?\b|\binjections?\b/i, categories: ['INJECTION'] },
  { words: /\bsurgical\s+considerations\b|\bsurgery\b/i, categories: ['SURGERY'] },
  { words: /\bhome\s+health\b/i, categories: ['HOME_HEALTH'], places: { category: 'HOME_HEALTH', subcategory: null } },
  { words: /\bpsycholog|\bcognitive\s+behavio|\bpsychotherapy\b/i, categories: ['BEHAVIORAL_HEALTH'] },
  { words: /\boffice\s+visits?\b|\bevaluation\s+and\s+management\b/i, categories: ['EVALUATION_AND_MANAGEMENT'] },
  { words: /\bfunctional\s+restoration\b|\bchronic\s+pain\s+programs?\b|\bwork\s+(?:conditioning|hardening)\b|\bgym\s+membership/i, categories: ['PROGRAM'] },
  { words: /\bdurable\s+medical\s+equipment\b|\bdme\b|\bcold\s+therapy\b|\bcontinuous\s+passive\s+motion\b|\bbraces?\b|\bmattress/i, categories: ['DMEPOS'] },
];

/** What the reviewer's citations say of an item's kind of treatment. */
export interface TopicEvidence {
  /** Every kind the cited topics and sections cover; empty when none names a kind. */
  readonly categories: ReadonlySet<Category>;
  /** The class the topics agree on for an item nothing else places, or null. */
  readonly places: Classification | null;
  /** The topics that gave the evidence, as printed, for a reader's note. */
  readonly topics: readonly string[];
}

/** The evidence of the reviewer's cited topics (each citation's topic and sections, as printed). */
export function topicEvidence(topics: ReadonlyArray<string | null>): TopicEvidence {
  const categories = new Set<Category>();
  const places: Classification[] = [];
  const named: string[] = [];
  for (const topic of topics) {
    if (!topic) continue;
    // A citation may name several sections; each is read on its own.
    for (const section of topic.split(/[,;/]/)) {
      const row = TOPICS.find((candidate) => candidate.words.test(section));
      if (!row) continue;
      row.categories.forEach((category) => categories.add(category));
      if (row.places) places.push(row.places);
      if (!named.includes(topic)) named.push(topic);
    }
  }
  // A class is given only when every kind named is that one class's.
  const only = places[0];
  const agreed =
    only && categories.size === 1 && places.every((place) => place.category === only.category && place.subcategory === only.subcategory) ? only : null;
  return { categories, places: agreed, topics: named };
}
