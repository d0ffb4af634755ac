import { stationPassword } from '../../../infra/local/iot/local-iot.js';
import { stationIds } from '../cli-options.js';
import { Fleet } from '../fleet.js';
import { PRESETS, parsePreset } from '../station-spec.js';
import { send, serveRole } from './ipc.js';

/** The benchmark's simulator process: N stations reporting at 1 Hz whether charging or idle. */
export async function runSim(o: {
  stations: number;
  prefix: string;
  secret: string;
  mqttUrl: string;
  connectRatePerSec: number;
}): Promise<void> {
  const fleet = new Fleet({
    ids: stationIds(o.prefix, o.stations),
    specs: PRESETS.map((p) => parsePreset(p)),
    url: o.mqttUrl,
    authFor: (id) => ({ kind: 'password', password: stationPassword(o.secret, id) }),
    reportMs: { charging: 1_000, idle: 1_000 },
    connectRatePerSec: o.connectRatePerSec,
  });
  serveRole({
    role: 'sim',
    extra: () => {
      const s = fleet.stats();
      return {
        online: s.online,
        reports: s.reports,
        commands: s.commands,
        buffered: s.buffered,
        disconnects: s.disconnects,
      };
    },
    stop: () => fleet.stop(true),
  });
  const started = await fleet.start(1_200_000);
  send(process, { type: 'started', ...started });
}
