import type { Classification } from './taxonomy.ts';

/** A procedure or service pattern and the taxonomy class it implies. */
export interface ServiceRule {
  /** Matched against the OCR-corrected request, case-insensitively. */
  readonly pattern: RegExp;
  /** The classification a match implies. */
  readonly classification: Classification;
  /** Whether the item is a known service (false: classed OTHER only because nothing else fit). */
  readonly known: boolean;
}

function rule(pattern: RegExp, classification: Classification): ServiceRule {
  return { pattern, classification, known: true };
}

/**
 * Procedure and service vocabulary for every category besides drugs, in precedence order:
 * the first rule that matches wins, and any rule beats the drug lexicon (an epidural with
 * Depo-Medrol is an injection; a urine drug screen is a lab test). The order encodes the
 * tie-breaks: a consultation with a spine surgeon is a consultation, not surgery; an arthroscopy
 * "with evaluation" is surgery;
 * post-operative therapy is therapy; a cold-therapy unit is equipment.
 */
export const SERVICE_RULES: readonly ServiceRule[] = [
  rule(
    /\bhome\s+(?:health|care|nursing|aide|attendant)|\b(?:daily|weekly)\s+(?:RN|LVN|LPN|nurse|nursing)\b|\b(?:RN|LVN|nurse|nursing)\s+visits?|\bskilled\s+nursing|\bwound\s+care\b|\bin[- ]home\s+(?:care|assistance|help|services?)|\b(?:housekeeping|home\s+making|homemaker|caregiver|personal\s+care\s+attendant)/i,
    { category: 'HOME_HEALTH', subcategory: null },
  ),
  rule(/\bfunctional\s+restoration|\bFRP\b|\bH\.?E\.?L\.?P\.?\s+program/i, { category: 'PROGRAM', subcategory: 'FUNCTIONAL_RESTORATION' }),
  rule(/\bwork\s+(?:conditioning|hardening)/i, { category: 'PROGRAM', subcategory: 'WORK_CONDITIONING' }),
  rule(/\bweight\s+(?:loss|reduction|management)|\b(?:Lindora|Medifast|Nutrisystem|Weight\s+Watchers)\b/i, { category: 'PROGRAM', subcategory: 'WEIGHT_LOSS' }),
  rule(
    /\b(?:gym|health\s+club|pool|YMCA)\s+membership|\b(?:detox(?:ification)?|multidisciplinary|interdisciplinary|pain|rehabilitation|exercise)\s+program\b/i,
    { category: 'PROGRAM', subcategory: 'OTHER' },
  ),
  rule(/\b(?:EMG|NCV|NCS|SSEP|EEG|electromyo\w*|electroencephalo\w*|nerve\s+conduction|electrodiagnostic|sudoscan)/i, {
    category: 'DIAGNOSTIC_TESTING',
    subcategory: 'ELECTRODIAGNOSTIC',
  }),
  rule(
    /\b(?:MRI|MRA|MR\s+arthrogram|CT\b|CAT\s+scan|computed\s+tomography|x-?rays?|radiograph\w*|ultrasound|sonogram|bone\s+scan|arthrogram|myelogram|discogram|scan\b|imaging|magnetic\s+resonance|DEXA|PET\b)/i,
    { category: 'DIAGNOSTIC_TESTING', subcategory: 'IMAGING' },
  ),
  // After imaging: "Labs to include: chest x-ray" is an x-ray.
  rule(
    /\b(?:urine\s+(?:drug|tox|tests?|screens?|samples?|analysis)|drug\s+(?:screen|test)|toxicology|UDS|lab(?:oratory)?\s+(?:test|work|studies|panel)|labs\b|blood\s+(?:test|work|draw)|CBC|CMP|metabolic\s+panel|(?:hepatic|renal|liver|kidney|thyroid)\s+(?:function|panel)|genetic\s+test|DNA\s+test|urinalysis|serum|hemoglobin\s+A1c)/i,
    { category: 'DIAGNOSTIC_TESTING', subcategory: 'LAB' },
  ),
  rule(
    /\b(?:sleep\s+study|polysomnogra\w*|functional\s+capacity|FCE\b|range\s+of\s+motion\s+(?:of\s+)?(?:test\w*|measurement\w*)|grip\s+(?:strength\s+)?test\w*|Jamar\b|electrocardiogra\w*|computerized\s+(?:range|muscle)|muscle\s+testing|vestibular\s+testing|audiogram|echocardiogram|EKG|ECG|stress\s+test|diagnostic)/i,
    { category: 'DIAGNOSTIC_TESTING', subcategory: 'OTHER' },
  ),
  rule(
    /\b(?:psychotherapy|cognitive\s+behaviou?ral|CBT\b|counsell?ing|psycholog\w*\s+(?:treatment|therapy|sessions?|visits?)|psych\s+(?:sessions?|treatment|therapy)|group\s+therapy|hypnotherapy|relaxation\s+training)/i,
    { category: 'BEHAVIORAL_HEALTH', subcategory: 'PSYCHOTHERAPY' },
  ),
  rule(/\b(?:psycholog\w*|psychiatr\w*|psych)\s+(?:evaluation|consult\w*|testing|assessment|referral|eval)|\bneuropsycholog\w*/i, {
    category: 'BEHAVIORAL_HEALTH',
    subcategory: 'EVALUATION',
  }),
  rule(/\bpsychiatr\w*|\bpsycholog\w*/i, { category: 'BEHAVIORAL_HEALTH', subcategory: 'OTHER' }),
  rule(/\bepidural|\bESI\b|\btransforaminal|\binterlaminar|\bcaudal\s+(?:injection|block)|\bselective\s+nerve\s+root/i, {
    category: 'INJECTION',
    subcategory: 'EPIDURAL',
  }),
  rule(/\btrigger\s+point/i, { category: 'INJECTION', subcategory: 'TRIGGER_POINT' }),
  rule(/\bfacet|\bmedial\s+branch|\bradiofrequency|\bRFA\b|\brhizotomy|\bneurotomy/i, { category: 'INJECTION', subcategory: 'FACET' }),
  rule(
    /\b(?:sacroiliac|SI)\s+joint\s+(?:injection|block)|\bintra-?articular|\b(?:Synvisc|Orthovisc|Euflexxa|Supartz|Hyalgan|Gel-?One|Monovisc)\b|\bhyaluronic|\bviscosupplement\w*|\b(?:cortisone|steroid|corticosteroid)\s+injections?\s+(?:to|of|into|in)\s+the\s+(?:\w+\s+)?(?:knee|shoulder|hip|joint|wrist|elbow|ankle)|\b(?:knee|shoulder|hip|joint|wrist|elbow|ankle)\s+(?:cortisone\s+|steroid\s+)?injection/i,
    { category: 'INJECTION', subcategory: 'JOINT' },
  ),
  rule(/\b(?:nerve|stellate\s+ganglion|sympathetic|occipital|genicular|suprascapular|intercostal|lumbar\s+sympathetic)\s+blocks?\b|\bganglion\s+block/i, {
    category: 'INJECTION',
    subcategory: 'NERVE_BLOCK',
  }),
  rule(/\binjections?\b|\bPRP\b|\bplatelet[- ]rich\s+plasma|\bBotox\b|\bbotulinum|\bprolotherapy/i, { category: 'INJECTION', subcategory: 'OTHER' }),
  rule(
    /\b(?:TENS|interferential|IF\s+unit|H-?wave|NMES|neuromuscular\s+(?:electrical\s+)?stimulat\w*|(?:muscle|electrical|electronic)\s+stimulat\w*\s+unit|e-?stim\s+unit)/i,
    { category: 'DMEPOS', subcategory: 'TENS' },
  ),
  rule(
    /\b(?:brace|bracing|orthos[ie]s|orthotics?|splint|lumbar\s+support|lumbosacral\s+support|LSO\b|TLSO\b|cervical\s+collar|knee\s+support|wrist\s+support|back\s+support|sling|insoles?|shoe\s+inserts?)/i,
    { category: 'DMEPOS', subcategory: 'BRACE' },
  ),
  rule(
    /\b(?:wheelchair|walker|cane|crutch(?:es)?|scooter|hot\/cold|cold\s+(?:therapy|compression)\s+unit|cryotherapy\s+unit|(?:ice|cold|heat)\s+unit|Vascutherm|game\s*ready|compression\s+(?:device|unit|stockings)|pneumatic\s+compression|DVT\s+(?:prophylaxis\s+)?(?:unit|device)|continuous\s+passive\s+motion|CPM\b|mattress|hospital\s+bed|adjustable\s+bed|shower\s+chair|commode|toilet\s+seat|traction\s+unit|home\s+traction|cervical\s+traction|heating\s+pad|durable\s+medical|DME\b|pillow|(?:TENS|electrode)\s+(?:patches|pads|supplies)|glucometer|grabber|reacher|bath\s+bench|lift\s+chair|hearing\s+aids?|gloves?\b|cold\s+compression|cryotherapy|rental\b|(?:shoulder|knee|wrist|ankle|elbow|back|compression)\s+wraps?\b)/i,
    { category: 'DMEPOS', subcategory: 'OTHER' },
  ),
  rule(/\b(?:aquatic|aqua|pool|water)\s*(?:therapy|exercise|-based)|\baquatherapy/i, { category: 'REHABILITATION', subcategory: 'AQUATIC_THERAPY' }),
  rule(/\bacupuncture|\belectro-?acupuncture/i, { category: 'REHABILITATION', subcategory: 'ACUPUNCTURE' }),
  rule(/\bchiro\w*|\bmanipulat\w*|\bCMT\b|\bspinal\s+adjust\w*/i, { category: 'REHABILITATION', subcategory: 'CHIROPRACTIC' }),
  rule(/\bmassage|\bmyofascial\s+release/i, { category: 'REHABILITATION', subcategory: 'MASSAGE' }),
  rule(/\boccupational\s+therap\w*|\bOT\b|\bhand\s+therapy/i, { category: 'REHABILITATION', subcategory: 'OCCUPATIONAL_THERAPY' }),
  rule(
    /\bphysical\s+therap\w*|\bphysiotherap\w*|\bPT\b|\bpost-?op(?:erative)?\s+therapy|\btherapeutic\s+exercise|\bphysical\s+medicine\s+(?:treatment|sessions)|\b(?:therapy|rehab(?:ilitation)?)\s+(?:sessions|visits)|\bwork\s+simulation|\bmanual\s+therap\w*/i,
    { category: 'REHABILITATION', subcategory: 'PHYSICAL_THERAPY' },
  ),
  rule(
    /\b(?:ESWT|biofeedback|e-?stim\b|electrical\s+stimulation|(?:ice|heat|hot|cold)(?:\s*\/\s*(?:ice|heat|hot|cold))?\s+(?:packs?\s+|pads?\s+)?(?:therapy|treatment)|spinolator|modalit(?:y|ies)|shock\s*wave|extracorporeal|home\s+exercise\s+(?:kit|equipment)|traction\b|ultrasound\s+therapy|laser\s+therapy|infrared|paraffin|iontophoresis|kinesio\s+tap\w*)/i,
    { category: 'REHABILITATION', subcategory: 'OTHER' },
  ),
  rule(
    /\bconsult\w*|\b(?:surg(?:ery|ical|eon)|orthop\w*|neurosurg\w*|spine|pain\s+management)\s+(?:evaluation|eval)\b|\breferral|\brefer\s+to|\bsecond\s+opinion|\bspecialist\s+(?:evaluation|visit)|\b(?:evaluation|eval)\s+(?:with|by)\s+(?:an?\s+)?(?:\w+\s+)?(?:specialist|surgeon|orthopedist|neurologist|physician|doctor)/i,
    { category: 'EVALUATION_AND_MANAGEMENT', subcategory: 'CONSULTATION' },
  ),
  rule(/\bfollow[- ]?up|\boffice\s+visits?|\bre-?evaluation|\bmedication\s+management|\bvisits?\s+with|\bmonthly\s+visits/i, {
    category: 'EVALUATION_AND_MANAGEMENT',
    subcategory: 'FOLLOW_UP',
  }),
  rule(
    /\b(?:fusion|laminectomy|laminotomy|hemilaminectomy|discectomy|microdiscectomy|foraminotomy|kyphoplasty|vertebroplasty|ACDF\b|disc\s+replacement|spinal\s+cord\s+stimulator|SCS\b|(?:lumbar|cervical|thoracic|spinal)\s+(?:decompression|surgery|fusion)|intradiscal|IDET\b|posterior\s+instrumentation)/i,
    { category: 'SURGERY', subcategory: 'SPINE' },
  ),
  rule(
    /\b(?:arthroscop\w*|arthroplasty|joint\s+replacement|(?:total|partial)\s+(?:knee|hip|shoulder)|(?:knee|hip|shoulder)\s+replacement|rotator\s+cuff\s+repair|meniscectomy|menisc\w*\s+repair|subacromial\s+decompression|acromioplasty|labral\s+repair|ACL\s+reconstruction|(?:knee|hip|shoulder|elbow|wrist|ankle)\s+surgery|chondroplasty|synovectomy|capsular\s+release)/i,
    { category: 'SURGERY', subcategory: 'JOINT' },
  ),
  // After the named operations: "knee arthroscopy with evaluation of the ACL" is surgery.
  rule(
    /\b(?:pre-?op(?:erative)?\s+(?:medical\s+)?(?:clearance|evaluation|exam)|medical\s+clearance|history\s+and\s+physical|H&P\b|evaluation\b|assessment\b)/i,
    { category: 'EVALUATION_AND_MANAGEMENT', subcategory: 'OTHER' },
  ),
  rule(/\b(?:(?:PA|physician\s+assistant|surgical)\s+assist\w*|co-?surgeon)\b/i, { category: 'SURGERY', subcategory: 'OTHER' }),
  rule(
    /\b(?:surgery|surgical|carpal\s+tunnel\s+release|cubital\s+tunnel|trigger\s+finger\s+release|release\b|repair\b|excision|removal\s+of\s+hardware|hardware\s+removal|\w+ectomy|\w+otomy|\w+plasty|assistant\s+surgeon|inpatient\s+stay|hospital\s+stay|anesthesia)/i,
    { category: 'SURGERY', subcategory: 'OTHER' },
  ),
  rule(/\b(?:transportation|transport|interpreter|translator|translation\s+services|mileage|taxi|hotel)\b/i, { category: 'OTHER', subcategory: null }),
];

/**
 * Words the classifier never treats as OCR damage, even when they sit one letter from a
 * drug name: the common words of request headings and every service keyword.
 */
export const REQUEST_WORDS: ReadonlySet<string> = new Set(
  `request requests requested retrospective retro prospective prescription purchase rental rent
  for the and with of to in on at by per one two three four five six seven eight nine ten twice
  once daily weekly monthly times time week weeks month months day days hour hours session sessions
  visit visits unit units left right bilateral lumbar cervical thoracic spine back neck shoulder
  shoulders knee knees hip hips wrist wrists hand hands elbow elbow ankle ankles foot feet leg legs
  arm arms upper lower extremity extremities therapy therapies physical occupational treatment
  treatments medication medications tablet tablets capsule capsules cream creams patch patches
  gel lotion ointment topical oral refill refills supply quantity injection injections block
  blocks consultation evaluation program service services surgery spinal joint level levels
  additional initial trial continued ongoing dispense dispensed between dates service generic
  extended release solution suspension spray compound compounded`
    .split(/\s+/)
    .filter((word) => word.length > 0),
);

/** Keywords of the service vocabulary, for resolving OCR-damaged spellings of them. */
export const SERVICE_KEYWORDS: readonly string[] = [
  'acupuncture',
  'chiropractic',
  'chiropractor',
  'massage',
  'therapy',
  'physical',
  'occupational',
  'aquatic',
  'epidural',
  'injection',
  'injections',
  'trigger',
  'facet',
  'radiofrequency',
  'consultation',
  'referral',
  'evaluation',
  'psychotherapy',
  'psychological',
  'psychiatric',
  'functional',
  'restoration',
  'conditioning',
  'hardening',
  'arthroscopy',
  'arthroscopic',
  'laminectomy',
  'discectomy',
  'microdiscectomy',
  'fusion',
  'surgery',
  'toxicology',
  'urine',
  'screen',
  'electromyography',
  'conduction',
  'ultrasound',
  'orthotics',
  'brace',
  'interferential',
  'transportation',
  'cognitive',
  'behavioral',
  'membership',
  'follow',
];
