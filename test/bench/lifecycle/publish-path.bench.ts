/**
 * The live-publish path alone, in one process: the backend's IAM client (SigV4 sign, HTTP) → the
 * local AppSync server (SigV4 verify, parse/validate, execute the echo resolver, fan out). CPU µs per
 * publish, the figure a session pays about a dozen times in the lifecycle benchmark; far less noisy
 * on a shared machine than the whole lifecycle. `npx tsx test/bench/lifecycle/publish-path.bench.ts [N]`
 */
import { join } from 'node:path';
import { AppSyncIamClient } from '../../../functions/src/adapters/appsync/appsync-iam-client.js';
import { SESSION_FIELDS } from '../../../functions/src/adapters/appsync/appsync-live-publisher.js';
import { type AppSyncResolver, startLocalAppSync } from '../../../infra/local/appsync/index.js';

const PUBLISH = `mutation Publish($input: SessionUpdateInput!) { publishSessionUpdate(input: $input) { ${SESSION_FIELDS} } }`;
const IAM = { accessKeyId: 'AKIDLOCALBENCH', secretAccessKey: 'local-bench-secret', region: 'ap-northeast-1' };
const count = Math.max(100, Number(process.argv[2] ?? 2_000));
const concurrency = 10;

function view(i: number) {
  return {
    id: `s-${i % 50}`,
    driverId: 'd-1',
    stationId: 'st-1',
    state: 'CHARGING',
    tariff: { milliYenPerKwh: 50_000, sessionFeeYen: 100, milliYenPerMinute: 0 },
    createdAt: '2026-11-22T00:00:00.000Z',
    startedAt: '2026-11-22T00:00:01.000Z',
    powerW: 3000,
    energyWh: i,
    runningCostYen: 100 + Math.floor((i * 50_000) / 1_000_000),
    exposureCapYen: 5000,
    updatedAt: new Date().toISOString(),
  };
}

const echo: AppSyncResolver = async (event) => event.arguments.input;
const appsync = await startLocalAppSync({
  schemaPath: join(import.meta.dirname, '../../../contracts/schema.graphql'),
  // Never contacted: only IAM callers here
  cognito: { issuer: 'http://127.0.0.1:9/local', clientId: 'unused', jwksUrl: 'http://127.0.0.1:9/jwks.json' },
  iam: IAM,
  resolvers: { 'Mutation.publishSessionUpdate': echo },
});
try {
  const client = new AppSyncIamClient({ endpoint: appsync.url, region: IAM.region, credentials: async () => IAM });
  const run = async (n: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) await client.request(PUBLISH, { input: view(next++) });
      }),
    );
  };
  await run(200); // warm-up: JIT, sockets, document cache
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(count);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuUsPerPublish = Math.round((cpu.user + cpu.system) / count);
  process.stdout.write(
    `${JSON.stringify({ publishes: count, cpuUsPerPublish, publishesPerSec: Math.round((count / wallMs) * 1000) })}\n`,
  );
} finally {
  await appsync.close();
}
