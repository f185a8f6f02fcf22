import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiver, type ImrEvent } from '../../../docs/webhook-receiver.ts';
import { deliver } from '../../../functions/service/webhooks/deliver.ts';
import { determinationEvent } from '../../../functions/service/events.ts';
import { classifyLetter } from '../../../functions/domain/index.ts';
import { loadGoldenLetters } from '../../fixtures/golden.ts';
import { storedDetermination } from '../../fixtures/factories.ts';

const secret = `whsec_${Buffer.from('receiver-example-secret-32-bytes').toString('base64')}`;
const handled: ImrEvent[] = [];
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer(receiver(secret, async (event) => void handled.push(event)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('docs/webhook-receiver.ts, the documented receiver', () => {
  const event = determinationEvent(storedDetermination(classifyLetter(loadGoldenLetters()[0]!.text), { id: 'a'.repeat(64) }), new Date().toISOString());

  it('accepts a delivery signed by the service, once per webhook-id', async () => {
    await deliver(event, { url, events: ['determination.classified'] }, secret, 'msg_1');
    await deliver(event, { url, events: ['determination.classified'] }, secret, 'msg_1');
    expect(handled).toHaveLength(1);
    expect(handled[0]).toMatchObject({ type: 'determination.classified', data: { outcome: 'UPHELD' } });
  });

  it('rejects a delivery signed with another secret', async () => {
    const other = `whsec_${Buffer.from('some-other-secret-of-32-bytes!!!').toString('base64')}`;
    await expect(deliver(event, { url, events: ['determination.classified'] }, other, 'msg_2')).rejects.toThrow(/answered 401/);
  });
});
