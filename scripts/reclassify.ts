/**
 * `npm run reclassify -- --table T --text-bucket B --bus E [--all]`: re-runs the current
 * parser over every stored letter read by an older engine version, from its stored OCR text
 * (Textract is not called again). Changed results are saved and announced. Uses the AWS
 * credentials of the shell; the names are the stack outputs.
 */
import { parseArgs } from 'node:util';
import { DynamoDeterminationStore } from '../functions/adapters/dynamodb/determination-store.ts';
import { S3ObjectStore } from '../functions/adapters/s3/object-store.ts';
import { EventBridgePublisher } from '../functions/adapters/eventbridge/event-publisher.ts';
import { reclassifyStored } from '../functions/ops/reclassify.ts';

const { values } = parseArgs({ options: { table: { type: 'string' }, 'text-bucket': { type: 'string' }, bus: { type: 'string' }, all: { type: 'boolean' } } });
if (!values.table || !values['text-bucket'] || !values.bus) {
  console.error('usage: npm run reclassify -- --table <TableName> --text-bucket <TextBucket> --bus <EventBusName> [--all]');
  process.exit(1);
}
const report = await reclassifyStored(
  {
    store: new DynamoDeterminationStore(values.table, null),
    objects: new S3ObjectStore(values['text-bucket']),
    events: new EventBridgePublisher(values.bus),
    now: () => new Date(),
  },
  { all: values.all },
);
console.log(JSON.stringify(report));
