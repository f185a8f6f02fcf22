import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher, ServiceEvent } from '../../service/ports.ts';

const moduleClient = new EventBridgeClient({});

/** Source of every event this service puts on its bus. */
export const EVENT_SOURCE = 'imr.letters';

/** {@link EventPublisher} on an EventBridge bus: detail-type is the event type, detail the whole event. */
export class EventBridgePublisher implements EventPublisher {
  private readonly client: EventBridgeClient;

  constructor(
    private readonly busName: string,
    client?: EventBridgeClient,
  ) {
    this.client = client ?? moduleClient;
  }

  async publish(event: ServiceEvent): Promise<void> {
    const result = await this.client.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: this.busName, Source: EVENT_SOURCE, DetailType: event.type, Detail: JSON.stringify(event), Time: new Date(event.timestamp) }],
      }),
    );
    if (result.FailedEntryCount) throw new Error(`EventBridge refused the event: ${result.Entries?.[0]?.ErrorCode ?? 'unknown error'}`);
  }
}
