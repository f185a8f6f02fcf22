import type { DrugClass } from './taxonomy.ts';
import { ocrFold } from './fuzzy.ts';

/**
 * The drug lexicon: brand and generic names to active ingredient(s) to class, covering the
 * drugs commonly disputed in California workers' compensation IMR. Each row is
 * `[generic, class, ...names]`; the generic name itself is always a name too. A drug is
 * classed by its active ingredient (a benzodiazepine stays BENZODIAZEPINE when prescribed
 * for sleep); the dosage form can still move it to TOPICAL_ANALGESIC or COMPOUND.
 */
const DRUG_ROWS: ReadonlyArray<readonly [string, DrugClass, ...string[]]> = [
  // Opioids
  [
    'hydrocodone/acetaminophen',
    'OPIOID',
    'Norco',
    'Vicodin',
    'Lortab',
    'Lorcet',
    'Xodol',
    'Anexsia',
    'Hycet',
    'Zydone',
    'Verdrocet',
    'hydrocodone/APAP',
    'hydrocodone-acetaminophen',
    'hydrocodone bitartrate/acetaminophen',
  ],
  ['hydrocodone', 'OPIOID', 'Hysingla', 'Zohydro', 'Vantrela'],
  ['hydrocodone/ibuprofen', 'OPIOID', 'Vicoprofen', 'Reprexain', 'Ibudone'],
  [
    'oxycodone/acetaminophen',
    'OPIOID',
    'Percocet',
    'Endocet',
    'Roxicet',
    'Primlev',
    'Xartemis',
    'Nalocet',
    'Tylox',
    'oxycodone/APAP',
    'oxycodone-acetaminophen',
  ],
  ['oxycodone', 'OPIOID', 'OxyContin', 'Roxicodone', 'Oxaydo', 'Xtampza', 'Oxecta', 'RoxyBond', 'OxyIR'],
  ['oxymorphone', 'OPIOID', 'Opana'],
  ['hydromorphone', 'OPIOID', 'Dilaudid', 'Exalgo'],
  ['morphine', 'OPIOID', 'MS Contin', 'MSContin', 'Kadian', 'Avinza', 'Embeda', 'Arymo', 'MSIR', 'morphine sulfate'],
  ['methadone', 'OPIOID', 'Dolophine', 'Methadose'],
  ['fentanyl', 'OPIOID', 'Duragesic', 'Actiq', 'Fentora', 'Subsys', 'Abstral'],
  ['tramadol', 'OPIOID', 'Ultram', 'ConZip', 'Ryzolt', 'Rybix', 'tramadol ER', 'tramadol HCL'],
  ['tramadol/acetaminophen', 'OPIOID', 'Ultracet', 'tramadol/APAP'],
  ['tapentadol', 'OPIOID', 'Nucynta'],
  ['buprenorphine', 'OPIOID', 'Butrans', 'Belbuca', 'Buprenex', 'Subutex'],
  ['buprenorphine/naloxone', 'OPIOID', 'Suboxone', 'Zubsolv', 'Bunavail'],
  ['acetaminophen/codeine', 'OPIOID', 'Tylenol with codeine', 'Tylenol #3', 'Tylenol #4', 'Tylenol No. 3', 'Tylenol-Codeine', 'APAP/codeine'],
  ['codeine', 'OPIOID'],
  ['levorphanol', 'OPIOID'],
  ['meperidine', 'OPIOID', 'Demerol'],
  ['pentazocine', 'OPIOID', 'Talwin'],
  ['butorphanol', 'OPIOID', 'Stadol'],
  ['dihydrocodeine', 'OPIOID', 'Trezix'],
  // Muscle relaxants
  // Cyclophene: cyclobenzaprine in a cream base (its form makes it a topical analgesic).
  ['cyclobenzaprine', 'MUSCLE_RELAXANT', 'Flexeril', 'Fexmid', 'Amrix', 'Cyclophene'],
  ['carisoprodol', 'MUSCLE_RELAXANT', 'Soma'],
  ['methocarbamol', 'MUSCLE_RELAXANT', 'Robaxin'],
  ['metaxalone', 'MUSCLE_RELAXANT', 'Skelaxin', 'Metaxall'],
  ['tizanidine', 'MUSCLE_RELAXANT', 'Zanaflex'],
  ['baclofen', 'MUSCLE_RELAXANT', 'Lioresal', 'Gablofen'],
  ['orphenadrine', 'MUSCLE_RELAXANT', 'Norflex', 'Orphengesic'],
  ['chlorzoxazone', 'MUSCLE_RELAXANT', 'Parafon Forte', 'Parafon', 'Lorzone'],
  ['dantrolene', 'MUSCLE_RELAXANT', 'Dantrium'],
  // NSAIDs
  ['ibuprofen', 'NSAID', 'Motrin', 'Advil'],
  ['naproxen', 'NSAID', 'Naprosyn', 'Anaprox', 'Anaprox DS', 'Naprelan', 'Aleve', 'EC-Naprosyn', 'naproxen sodium'],
  ['diclofenac', 'NSAID', 'Voltaren', 'Voltaren XR', 'Cataflam', 'Zipsor', 'Zorvolex', 'Cambia', 'diclofenac sodium', 'diclofenac potassium'],
  ['diclofenac/misoprostol', 'NSAID', 'Arthrotec'],
  ['meloxicam', 'NSAID', 'Mobic', 'Vivlodex'],
  ['celecoxib', 'NSAID', 'Celebrex'],
  ['etodolac', 'NSAID', 'Lodine'],
  ['nabumetone', 'NSAID', 'Relafen'],
  ['ketorolac', 'NSAID', 'Toradol', 'Sprix'],
  ['indomethacin', 'NSAID', 'Indocin', 'Tivorbex'],
  // Ketophene: ketoprofen in a cream base.
  ['ketoprofen', 'NSAID', 'Ketophene'],
  ['flurbiprofen', 'NSAID', 'Ansaid'],
  ['piroxicam', 'NSAID', 'Feldene'],
  ['oxaprozin', 'NSAID', 'Daypro'],
  ['sulindac', 'NSAID', 'Clinoril'],
  ['diflunisal', 'NSAID', 'Dolobid'],
  ['fenoprofen', 'NSAID', 'Nalfon'],
  ['salsalate', 'NSAID', 'Disalcid'],
  ['ibuprofen/famotidine', 'NSAID', 'Duexis'],
  ['naproxen/esomeprazole', 'NSAID', 'Vimovo'],
  ['aspirin', 'NSAID', 'Ecotrin', 'Bayer'],
  // Anticonvulsants
  ['gabapentin', 'ANTICONVULSANT', 'Neurontin', 'Gralise', 'Horizant'],
  ['pregabalin', 'ANTICONVULSANT', 'Lyrica'],
  ['topiramate', 'ANTICONVULSANT', 'Topamax', 'Trokendi', 'Qudexy'],
  ['carbamazepine', 'ANTICONVULSANT', 'Tegretol', 'Carbatrol'],
  ['oxcarbazepine', 'ANTICONVULSANT', 'Trileptal'],
  ['lamotrigine', 'ANTICONVULSANT', 'Lamictal'],
  ['levetiracetam', 'ANTICONVULSANT', 'Keppra'],
  ['divalproex', 'ANTICONVULSANT', 'Depakote', 'valproic acid', 'valproate'],
  ['zonisamide', 'ANTICONVULSANT', 'Zonegran'],
  ['lacosamide', 'ANTICONVULSANT', 'Vimpat'],
  ['phenytoin', 'ANTICONVULSANT', 'Dilantin'],
  // Antidepressants
  ['amitriptyline', 'ANTIDEPRESSANT', 'Elavil'],
  ['nortriptyline', 'ANTIDEPRESSANT', 'Pamelor'],
  ['desipramine', 'ANTIDEPRESSANT', 'Norpramin'],
  ['imipramine', 'ANTIDEPRESSANT', 'Tofranil'],
  ['doxepin', 'ANTIDEPRESSANT', 'Silenor', 'Sinequan'],
  ['duloxetine', 'ANTIDEPRESSANT', 'Cymbalta'],
  ['venlafaxine', 'ANTIDEPRESSANT', 'Effexor', 'Effexor XR'],
  ['desvenlafaxine', 'ANTIDEPRESSANT', 'Pristiq'],
  ['milnacipran', 'ANTIDEPRESSANT', 'Savella'],
  ['sertraline', 'ANTIDEPRESSANT', 'Zoloft'],
  ['fluoxetine', 'ANTIDEPRESSANT', 'Prozac', 'Sarafem'],
  ['paroxetine', 'ANTIDEPRESSANT', 'Paxil', 'Pexeva'],
  ['citalopram', 'ANTIDEPRESSANT', 'Celexa'],
  ['escitalopram', 'ANTIDEPRESSANT', 'Lexapro'],
  ['bupropion', 'ANTIDEPRESSANT', 'Wellbutrin', 'Wellbutrin XL', 'Zyban', 'Aplenzin'],
  ['trazodone', 'ANTIDEPRESSANT', 'Desyrel', 'Oleptro'],
  ['mirtazapine', 'ANTIDEPRESSANT', 'Remeron'],
  ['vilazodone', 'ANTIDEPRESSANT', 'Viibryd'],
  ['vortioxetine', 'ANTIDEPRESSANT', 'Trintellix', 'Brintellix'],
  // Benzodiazepines
  ['alprazolam', 'BENZODIAZEPINE', 'Xanax'],
  ['clonazepam', 'BENZODIAZEPINE', 'Klonopin'],
  ['diazepam', 'BENZODIAZEPINE', 'Valium'],
  ['lorazepam', 'BENZODIAZEPINE', 'Ativan'],
  ['temazepam', 'BENZODIAZEPINE', 'Restoril'],
  ['triazolam', 'BENZODIAZEPINE', 'Halcion'],
  ['chlordiazepoxide', 'BENZODIAZEPINE', 'Librium'],
  ['clorazepate', 'BENZODIAZEPINE', 'Tranxene'],
  ['oxazepam', 'BENZODIAZEPINE', 'Serax'],
  ['estazolam', 'BENZODIAZEPINE', 'ProSom'],
  ['flurazepam', 'BENZODIAZEPINE', 'Dalmane'],
  // Sleep aids
  ['zolpidem', 'SLEEP_AID', 'Ambien', 'Ambien CR', 'Intermezzo', 'Edluar', 'Zolpimist'],
  ['eszopiclone', 'SLEEP_AID', 'Lunesta'],
  ['zaleplon', 'SLEEP_AID', 'Sonata'],
  ['ramelteon', 'SLEEP_AID', 'Rozerem'],
  ['suvorexant', 'SLEEP_AID', 'Belsomra'],
  ['lemborexant', 'SLEEP_AID', 'Dayvigo'],
  ['melatonin', 'SLEEP_AID'],
  ['doxylamine', 'SLEEP_AID', 'Unisom'],
  ['diphenhydramine', 'SLEEP_AID', 'Benadryl'],
  // Topical analgesics (products that only exist as topicals)
  ['lidocaine', 'TOPICAL_ANALGESIC', 'Lidoderm', 'Xylocaine', 'ZTlido', 'Lidocaine patch', 'Anecream', 'LidoRx'],
  ['capsaicin', 'TOPICAL_ANALGESIC', 'Zostrix', 'Qutenza', 'Capzasin'],
  ['diclofenac epolamine', 'TOPICAL_ANALGESIC', 'Flector'],
  ['diclofenac sodium topical', 'TOPICAL_ANALGESIC', 'Voltaren Gel', 'Pennsaid', 'Solaraze'],
  ['menthol', 'TOPICAL_ANALGESIC', 'Biofreeze', 'Icy Hot', 'IcyHot'],
  ['methyl salicylate', 'TOPICAL_ANALGESIC', 'BenGay', 'Salonpas'],
  ['trolamine salicylate', 'TOPICAL_ANALGESIC', 'Aspercreme'],
  // Compounded and multi-ingredient topicals, and compounded oral suspensions
  ['lidocaine/menthol/methyl salicylate/capsaicin', 'COMPOUND', 'Terocin'],
  ['methyl salicylate/menthol/capsaicin', 'COMPOUND', 'Medrox'],
  ['lidocaine/capsaicin/menthol/methyl salicylate', 'COMPOUND', 'LidoPro'],
  ['flurbiprofen/cyclobenzaprine', 'COMPOUND', 'Flurflex'],
  ['tramadol/gabapentin/menthol/camphor/capsaicin', 'COMPOUND', 'TGHot', 'TG Hot'],
  ['methyl salicylate/menthol', 'COMPOUND', 'Mentherm', 'Dendracin'],
  ['tramadol oral suspension', 'COMPOUND', 'Synapryn'],
  ['cyclobenzaprine oral suspension', 'COMPOUND', 'Tabradol'],
  ['ranitidine oral suspension', 'COMPOUND', 'Deprizine'],
  ['diphenhydramine oral suspension', 'COMPOUND', 'Dicopanor'],
  ['gabapentin oral suspension', 'COMPOUND', 'Fanatrex'],
  ['ketoprofen/lidocaine/cyclobenzaprine', 'COMPOUND', 'Ketoprofen/Lidocaine/Cyclobenzaprine'],
  // Gastrointestinal agents
  ['omeprazole', 'GASTROINTESTINAL', 'Prilosec'],
  ['esomeprazole', 'GASTROINTESTINAL', 'Nexium'],
  ['pantoprazole', 'GASTROINTESTINAL', 'Protonix'],
  ['lansoprazole', 'GASTROINTESTINAL', 'Prevacid'],
  ['rabeprazole', 'GASTROINTESTINAL', 'Aciphex'],
  ['dexlansoprazole', 'GASTROINTESTINAL', 'Dexilant'],
  ['ranitidine', 'GASTROINTESTINAL', 'Zantac'],
  ['famotidine', 'GASTROINTESTINAL', 'Pepcid'],
  ['ondansetron', 'GASTROINTESTINAL', 'Zofran'],
  ['promethazine', 'GASTROINTESTINAL', 'Phenergan'],
  ['metoclopramide', 'GASTROINTESTINAL', 'Reglan'],
  ['sucralfate', 'GASTROINTESTINAL', 'Carafate'],
  ['misoprostol', 'GASTROINTESTINAL', 'Cytotec'],
  ['docusate', 'GASTROINTESTINAL', 'Colace'],
  ['docusate/senna', 'GASTROINTESTINAL', 'Senokot-S', 'Peri-Colace'],
  ['sennosides', 'GASTROINTESTINAL', 'Senokot', 'senna'],
  ['lactulose', 'GASTROINTESTINAL', 'Enulose'],
  ['polyethylene glycol', 'GASTROINTESTINAL', 'MiraLax'],
  ['bisacodyl', 'GASTROINTESTINAL', 'Dulcolax'],
  ['linaclotide', 'GASTROINTESTINAL', 'Linzess'],
  ['lubiprostone', 'GASTROINTESTINAL', 'Amitiza'],
  ['naloxegol', 'GASTROINTESTINAL', 'Movantik'],
  ['methylnaltrexone', 'GASTROINTESTINAL', 'Relistor'],
  ['dicyclomine', 'GASTROINTESTINAL', 'Bentyl'],
  // Medical foods
  ['theramine', 'MEDICAL_FOOD', 'Theramine'],
  ['sentra AM', 'MEDICAL_FOOD', 'Sentra'],
  ['sentra PM', 'MEDICAL_FOOD'],
  ['trepadone', 'MEDICAL_FOOD'],
  ['gabadone', 'MEDICAL_FOOD', 'GABAdone'],
  ['percura', 'MEDICAL_FOOD'],
  ['apptrim', 'MEDICAL_FOOD', 'AppTrim'],
  ['hypertensa', 'MEDICAL_FOOD'],
  ['fusepaq', 'MEDICAL_FOOD'],
  ['l-methylfolate', 'MEDICAL_FOOD', 'Deplin', 'Metanx'],
  // Other drugs seen in disputes
  ['acetaminophen', 'OTHER', 'Tylenol', 'APAP'],
  ['butalbital/acetaminophen/caffeine', 'OTHER', 'Fioricet', 'Esgic'],
  ['butalbital/aspirin/caffeine', 'OTHER', 'Fiorinal'],
  ['methylprednisolone', 'OTHER', 'Medrol', 'Medrol Dosepak', 'Depo-Medrol'],
  ['prednisone', 'OTHER', 'Deltasone'],
  ['sumatriptan', 'OTHER', 'Imitrex'],
  ['rizatriptan', 'OTHER', 'Maxalt'],
  ['modafinil', 'OTHER', 'Provigil'],
  ['armodafinil', 'OTHER', 'Nuvigil'],
  ['hydroxyzine', 'OTHER', 'Vistaril', 'Atarax'],
  ['sildenafil', 'OTHER', 'Viagra'],
  ['tadalafil', 'OTHER', 'Cialis'],
  ['testosterone', 'OTHER', 'AndroGel', 'Testim'],
  ['naloxone', 'OTHER', 'Narcan', 'Evzio'],
  ['clonidine', 'OTHER', 'Catapres'],
  ['quetiapine', 'OTHER', 'Seroquel'],
  ['aripiprazole', 'OTHER', 'Abilify'],
  ['buspirone', 'OTHER', 'Buspar'],
  ['glucosamine/chondroitin', 'OTHER', 'glucosamine', 'Cosamin', 'Osteo Bi-Flex'],
  ['ketamine', 'OTHER'],
  ['methylphenidate', 'OTHER', 'Ritalin'],
  ['memantine', 'OTHER', 'Namenda'],
  ['cephalexin', 'OTHER', 'Keflex'],
  ['lisinopril', 'OTHER', 'Prinivil', 'Zestril'],
  ['metformin', 'OTHER', 'Glucophage'],
  ['vitamin D', 'OTHER', 'ergocalciferol', 'cholecalciferol'],
];

/** One drug the lexicon knows: its active ingredient(s) and class. */
export interface Drug {
  /** Active ingredient(s), slash-separated for combinations. */
  readonly generic: string;
  /** Pharmaceutical subcategory of the active ingredient. */
  readonly drugClass: DrugClass;
  /** Number of active ingredients. */
  readonly ingredientCount: number;
}

/** A name (brand or generic) the lexicon knows, as it may appear in a request. */
export interface DrugName {
  /** The name as the lexicon spells it. */
  readonly name: string;
  /** Its words, OCR-folded, in order. */
  readonly words: readonly string[];
  /** The drug it names. */
  readonly drug: Drug;
}

function buildNames(): DrugName[] {
  const names: DrugName[] = [];
  for (const [generic, drugClass, ...brands] of DRUG_ROWS) {
    const drug: Drug = { generic, drugClass, ingredientCount: generic.split('/').length };
    for (const name of new Set([generic, ...brands])) {
      const words = name
        .split(/[\s/-]+/)
        .map(ocrFold)
        .filter((word) => word.length > 0);
      if (words.length > 0) names.push({ name, words, drug });
    }
  }
  // Longer names first, so `Ambien CR` wins over `Ambien` and `Voltaren Gel` over `Voltaren`.
  return names.sort((a, b) => b.words.length - a.words.length);
}

/** Every drug name the lexicon knows, longest first. */
export const DRUG_NAMES: readonly DrugName[] = buildNames();

/**
 * Single-word drug names by OCR-folded spelling, for resolving OCR-damaged names; a
 * spelling shared by two different drugs is left out (ambiguous by construction).
 */
export const DRUG_WORDS: ReadonlyMap<string, string> = (() => {
  const words = new Map<string, string>();
  for (const entry of DRUG_NAMES) {
    for (const word of entry.words) if (word.length >= 5) words.set(word, word);
  }
  return words;
})();
