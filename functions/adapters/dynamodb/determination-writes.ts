import type { LedgerChange } from '../../service/ports.ts';

/**
 * The search index's backlog mark of a letter (`search-index.ts` reads and clears it): written
 * with the reading in its first transaction, so a reading is never committed without its letter
 * marked to be indexed. The same change always writes the same mark (its time and revision).
 */
export function searchMark(id: string, mark: string) {
  return { pk: 'SEARCH', sk: `BEHIND#${id}`, mark };
}

/**
 * The DynamoDB writes that commit a change the service decided (`service/ledger.ts`), in order:
 * the document (its reading and what the list indexes key on) under the change's revision
 * condition, the stats counter changes, its history entry and its search backlog mark, the
 * letter's fingerprint, the item records (idempotent puts) and the removal of items a shorter
 * reading no longer has. Only a mapping to the table:
 * what the change is was decided before. Pure: the same change always gives the same writes.
 */
export function determinationWrites(tableName: string, change: LedgerChange) {
  const { id, next, receivedAt } = change;
  const order = `${receivedAt}#${id}`;
  const classified = next.determination.status === 'CLASSIFIED' ? next.determination : null;
  const names: Record<string, string> = { '#status': 'status', '#corrected': 'corrected' };
  const values: Record<string, unknown> = {
    ':status': next.status,
    ':determination': JSON.stringify(next.determination),
    ':review': next.needsReview,
    ':engine': next.determination.engineVersion,
    ':at': next.updatedAt,
    ':gsi1pk': 'DETERMINATION',
    ':order': order,
    ':received': receivedAt,
    ':revision': next.revision,
    ':conclusions': JSON.stringify(next.conclusions),
    ':id': id,
  };
  const set = [
    '#status = :status',
    'id = :id',
    'determination = :determination',
    'needsReview = :review',
    'engineVersion = :engine',
    'updatedAt = :at',
    'receivedAt = if_not_exists(receivedAt, :received)',
    'gsi1pk = :gsi1pk',
    'gsi1sk = :order',
    'revision = :revision',
    'conclusions = :conclusions',
  ];
  const remove: string[] = [];
  /** Sets `attribute` to `value` when there is one, else removes it: nothing from the reading before survives. */
  const setOrRemove = (attribute: string, value: unknown) => {
    const placeholder = `:${attribute}`;
    if (value === undefined || value === null) remove.push(attribute);
    else {
      set.push(`${attribute} = ${placeholder}`);
      values[placeholder] = value;
    }
  };
  setOrRemove('reason', next.reason);
  setOrRemove('outcome', classified?.outcome);
  setOrRemove('caseNumber', classified?.caseNumber);
  setOrRemove('gsi2pk', classified?.caseNumber ? `CASE#${classified.caseNumber}` : null);
  setOrRemove('gsi2sk', classified?.caseNumber ? order : null);
  setOrRemove('earliestDue', next.earliestDue);
  setOrRemove('sameLetterAs', next.sameLetterAs);
  setOrRemove('receivedOn', next.receivedOn);
  setOrRemove('reviewedBy', next.reviewedBy);
  setOrRemove('reviewedAt', next.reviewedAt);
  if (next.corrected) {
    set.push('#corrected = :corrected');
    values[':corrected'] = true;
  }
  // The commit holds only over the revision the change was decided against; a machine reading never over a correction.
  let condition: string;
  if (change.expectedRevision === null) condition = 'attribute_not_exists(revision)';
  else {
    values[':expected'] = change.expectedRevision;
    // A document read before revisions were kept counts as revision 1.
    condition = change.expectedRevision === 1 ? '(attribute_not_exists(revision) OR revision = :expected)' : 'revision = :expected';
  }
  if (change.by === 'machine') condition += ' AND attribute_not_exists(#corrected)';
  const update = `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`;
  const counters = [...change.deltas].map(([key, delta]) => ({
    Update: {
      TableName: tableName,
      Key: { pk: 'STATS', sk: key },
      UpdateExpression: 'ADD UPHELD :u, OVERTURNED :o',
      ExpressionAttributeValues: { ':u': delta.UPHELD, ':o': delta.OVERTURNED },
    },
  }));
  const fingerprintMarker = change.fingerprint ? [{ Put: { TableName: tableName, Item: { pk: `LETTER#${change.fingerprint}`, sk: order, id } } }] : [];
  const items = change.items.map((item) => {
    const number = String(item.itemNumber).padStart(3, '0');
    return {
      Put: {
        TableName: tableName,
        Item: {
          pk: `DOC#${id}`,
          sk: `ITEM#${number}`,
          documentId: id,
          receivedAt,
          caseNumber: item.caseNumber,
          request: item.request,
          decision: item.decision,
          category: item.category,
          subcategory: item.subcategory,
          needsReview: item.needsReview,
          gsi3pk: `CATEGORY#${item.category}`,
          gsi3sk: `${order}#${number}`,
          gsi4pk: 'ITEM',
          gsi4sk: `${order}#${number}`,
        },
      },
    };
  });
  // A reading with fewer items than the one it replaces leaves stale item records: removed.
  const stale = Array.from({ length: Math.max(0, change.previousItemCount - change.items.length) }, (_, k) => ({
    Delete: { TableName: tableName, Key: { pk: `DOC#${id}`, sk: `ITEM#${String(change.items.length + k + 1).padStart(3, '0')}` } },
  }));
  const history = change.history
    ? [{ Put: { TableName: tableName, Item: { pk: `DOC#${id}`, sk: `HISTORY#${String(change.history.revision).padStart(6, '0')}`, ...change.history } } }]
    : [];
  // The document, its counter changes, its history and its search mark go in the first transaction together: the
  // counters are the difference from the stored reading, so once that reading is replaced they
  // must already be applied. Item records (idempotent puts) follow; a failed later chunk is
  // simply written again on the retry, and counters are never applied twice or lost.
  return [
    {
      Update: {
        TableName: tableName,
        Key: { pk: `DOC#${id}`, sk: 'DOC' },
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    ...counters,
    ...history,
    { Put: { TableName: tableName, Item: searchMark(id, `${next.updatedAt}#${next.revision}`) } },
    ...fingerprintMarker,
    ...items,
    ...stale,
  ];
}
