import { startLocalIot } from '../../../infra/local/iot/local-iot.js';
import { send, serveRole } from './ipc.js';

/** The benchmark's broker process: the local IoT stand-in, exactly as `npm start` runs it. */
export async function runBroker(o: { secret: string; backend: { username: string; password: string } }): Promise<void> {
  const iot = await startLocalIot({ stationSecret: o.secret, backend: o.backend });
  serveRole({
    role: 'broker',
    extra: () => ({ clients: iot.broker.connectedClients, ...iot.stats() }),
    stop: () => iot.close(),
  });
  send(process, { type: 'ready', mqttUrl: iot.mqttUrl, publishEndpoint: iot.publishEndpoint });
}
