import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { StationId } from '../../contracts/station-protocol.js';
import type { StationAuth } from './mqtt-station-link.js';

/**
 * The JSON the provisioning script writes for real AWS IoT Core: the account's ATS data endpoint
 * and, per thing, its certificate and private key (paths relative to the JSON file). Either one
 * thing at the top level or a `things` list; the CA (Amazon Root CA 1) may be given once or per thing.
 */
const Thing = z.object({
  thingName: StationId,
  certPath: z.string().min(1),
  keyPath: z.string().min(1),
  caPath: z.string().min(1).optional(),
});
const Endpoint = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9.-]+$/, 'endpoint is a host name, e.g. abc123-ats.iot.ap-northeast-1.amazonaws.com');

export const IotCoreConfig = z.union([
  z.object({
    endpoint: Endpoint,
    port: z.number().int().positive().default(8883),
    caPath: z.string().min(1).optional(),
    things: z.array(Thing).min(1),
  }),
  Thing.extend({ endpoint: Endpoint, port: z.number().int().positive().default(8883) }),
]);
export type IotCoreConfig = z.infer<typeof IotCoreConfig>;

export interface IotCoreTarget {
  url: string;
  ids: string[];
  authFor(stationId: string): StationAuth;
}

export function loadIotCoreConfig(path: string): IotCoreTarget {
  const file = resolve(path);
  const cfg = IotCoreConfig.parse(JSON.parse(readFileSync(file, 'utf8')));
  const base = dirname(file);
  const things = 'things' in cfg ? cfg.things : [cfg];
  const sharedCa = 'things' in cfg ? cfg.caPath : undefined;
  const read = (p: string) => readFileSync(resolve(base, p));
  const auth = new Map<string, StationAuth>();
  for (const t of things) {
    const ca = t.caPath ?? sharedCa;
    auth.set(t.thingName, {
      kind: 'x509',
      cert: read(t.certPath),
      key: read(t.keyPath),
      ...(ca ? { ca: read(ca) } : {}),
    });
  }
  return {
    url: `mqtts://${cfg.endpoint}:${cfg.port}`,
    ids: things.map((t) => t.thingName),
    authFor(id) {
      const a = auth.get(id);
      if (!a) throw new Error(`no certificate for thing ${id}`);
      return a;
    },
  };
}
