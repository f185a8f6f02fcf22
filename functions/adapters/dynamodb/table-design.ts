// No AWS SDK here: `cdk synth` reads the table design without building a client.

/**
 * The single table's design: one document item and one item per disputed item, under the
 * document's partition; three indexes for the query API.
 * - `pk = DOC#<id>`, `sk = DOC`: status, reason, dates, source keys, the Determination (JSON).
 * - `pk = DOC#<id>`, `sk = ITEM#<nnn>`: request, decision, category, subcategory.
 * - GSI1 `gsi1pk = DETERMINATION`, `gsi1sk = <receivedAt>#<id>`: every Determination, newest first.
 * - GSI2 `gsi2pk = CASE#<caseNumber>`, `gsi2sk = <receivedAt>#<id>`: Determinations of a case.
 * - GSI3 `gsi3pk = CATEGORY#<category>`, `gsi3sk = <receivedAt>#<id>#<nnn>`: items of a category.
 * - GSI4 `gsi4pk = ITEM`, `gsi4sk = <receivedAt>#<id>#<nnn>`: every item, newest first.
 * - GSI5 `gsi5pk = DOCUMENT`, `gsi5sk = <receivedAt>#<id>`: every document, newest first (filtered by status).
 * - `pk = STATS`, `sk = <grouping>#<key>`: item counts by decision, kept at write time.
 * - `pk = DOC#<id>`, `sk = HISTORY#<revision>`: every revision: the engine's readings and a person's corrections.
 */
export const TABLE_DESIGN = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
    { name: 'gsi5', partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
  ],
} as const;
