/**
 * The moto launcher (`moto_server.py`) backs up only the items a DynamoDB transaction names.
 * What the store relies on must still hold: a cancelled transaction leaves every item it named
 * as it was (updated, created or deleted), and one that succeeds writes all of them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { ROOT } from './emulated-stack.ts';
import { startMoto, type Moto } from './moto.ts';
import { HARNESS_CREDENTIALS } from './provision.ts';
import { REGION } from './template.ts';

const TableName = 'transactions';
let moto: Moto;
let client: DynamoDBClient;

const key = (pk: string, sk: string) => ({ pk: { S: pk }, sk: { S: sk } });
/** Adds one to the CLASSIFIED counter: the counter change a saved reading makes. */
const countOne = {
  Update: {
    TableName,
    Key: key('STATS', 'status#CLASSIFIED'),
    UpdateExpression: 'ADD #count :one',
    ExpressionAttributeNames: { '#count': 'count' },
    ExpressionAttributeValues: { ':one': { N: '1' } },
  },
};
const read = async (pk: string, sk: string) => (await client.send(new GetItemCommand({ TableName, Key: key(pk, sk), ConsistentRead: true }))).Item;

beforeAll(async () => {
  moto = await startMoto(ROOT, join(mkdtempSync(join(tmpdir(), 'imr-moto-')), 'moto.log'));
  client = new DynamoDBClient({ endpoint: moto.endpoint, region: REGION, credentials: HARNESS_CREDENTIALS });
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  // Rows beside the ones under test: a rollback must not disturb them either.
  for (let i = 0; i < 50; i += 1) await client.send(new PutItemCommand({ TableName, Item: { ...key(`DOC#${i}`, 'DOC'), status: { S: 'CLASSIFIED' } } }));
  await client.send(new PutItemCommand({ TableName, Item: { ...key('STATS', 'status#CLASSIFIED'), count: { N: '50' } } }));
  await client.send(new PutItemCommand({ TableName, Item: { ...key('DOC#gone', 'DOC'), status: { S: 'FAILED' } } }));
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

describe('moto launcher: DynamoDB transactions', () => {
  it('a cancelled transaction leaves the items it updated, put and deleted as they were', async () => {
    const cancelled = client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          countOne,
          { Put: { TableName, Item: { ...key('DOC#new', 'DOC'), status: { S: 'CLASSIFIED' } } } },
          { Delete: { TableName, Key: key('DOC#gone', 'DOC') } },
          // The last action's condition fails: everything above must be undone.
          {
            Update: {
              TableName,
              Key: key('DOC#7', 'DOC'),
              UpdateExpression: 'SET #status = :s',
              ConditionExpression: '#status = :expected',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':s': { S: 'FAILED' }, ':expected': { S: 'OCR_PENDING' } },
            },
          },
        ],
      }),
    );
    await expect(cancelled).rejects.toBeInstanceOf(TransactionCanceledException);
    expect((await read('STATS', 'status#CLASSIFIED'))?.count).toEqual({ N: '50' });
    expect(await read('DOC#new', 'DOC')).toBeUndefined();
    expect((await read('DOC#gone', 'DOC'))?.status).toEqual({ S: 'FAILED' });
    expect((await read('DOC#7', 'DOC'))?.status).toEqual({ S: 'CLASSIFIED' });
    expect((await read('DOC#8', 'DOC'))?.status).toEqual({ S: 'CLASSIFIED' });
  });

  it('a transaction whose conditions hold writes every item', async () => {
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          countOne,
          { Put: { TableName, Item: { ...key('DOC#new', 'DOC'), status: { S: 'CLASSIFIED' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Delete: { TableName, Key: key('DOC#gone', 'DOC') } },
        ],
      }),
    );
    expect((await read('STATS', 'status#CLASSIFIED'))?.count).toEqual({ N: '51' });
    expect((await read('DOC#new', 'DOC'))?.status).toEqual({ S: 'CLASSIFIED' });
    expect(await read('DOC#gone', 'DOC')).toBeUndefined();
  });
});
