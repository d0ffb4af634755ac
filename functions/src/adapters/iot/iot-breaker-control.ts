/**
 * BreakerControl over the AWS IoT data plane: one QoS 1 Publish of a v1 `Command` to the station's
 * `cmd` topic. The same code runs against IoT Core and the local data-plane shim.
 */
import { type IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { Command, PROTOCOL_VERSION, StationId, topicFor } from '../../../../contracts/station-protocol.js';
import type { BreakerCommand, BreakerControl } from '../../ports/breaker-control.port.js';

export type BreakerControlErrorCode = 'BREAKER.INVALID_STATION' | 'BREAKER.INVALID_COMMAND' | 'BREAKER.PUBLISH_FAILED';

export class BreakerControlError extends Error {
  override readonly name = 'BreakerControlError';
  constructor(
    readonly code: BreakerControlErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class IotBreakerControl implements BreakerControl {
  constructor(private readonly client: Pick<IoTDataPlaneClient, 'send'>) {}

  async send(stationId: string, command: BreakerCommand): Promise<void> {
    // A station id is a topic level: anything else could address another topic.
    const id = StationId.safeParse(stationId);
    if (!id.success) throw new BreakerControlError('BREAKER.INVALID_STATION', 'station id is not topic-safe');
    const cmd = Command.safeParse({ v: PROTOCOL_VERSION, ...command });
    if (!cmd.success) {
      throw new BreakerControlError(
        'BREAKER.INVALID_COMMAND',
        `command does not match protocol v1: ${cmd.error.message}`,
      );
    }
    try {
      await this.client.send(
        new PublishCommand({ topic: topicFor(id.data, 'cmd'), qos: 1, payload: Buffer.from(JSON.stringify(cmd.data)) }),
      );
    } catch (e) {
      const name = e instanceof Error ? e.name : 'Error';
      throw new BreakerControlError('BREAKER.PUBLISH_FAILED', `IoT publish to ${id.data} failed: ${name}`, {
        cause: e,
      });
    }
  }
}
