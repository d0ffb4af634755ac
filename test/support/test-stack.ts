/** A whole local stack for one test file: every port ephemeral, data in a temp dir, fast reports. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalConfig, LocalConfigSchema } from '../../infra/local/stack/local-config.js';
import { type LocalStack, REGION, startLocalStack } from '../../infra/local/stack/local-stack.js';
import type { AmplifyNodeTarget } from './amplify-node.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface TestStack {
  stack: LocalStack;
  target: AmplifyNodeTarget;
  dataDir: string;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startTestStack(env: Record<string, string> = {}, dataDir?: string): Promise<TestStack> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'ev-stack-')));
  const ports = Object.fromEntries(
    ['WEB', 'APPSYNC', 'WEBHOOK', 'COGNITO', 'LAMBDA', 'DYNAMODB', 'MQTT', 'MQTT_WS', 'IOT_DATA', 'STRIPE'].map((p) => [
      `EV_PORT_${p}`,
      '0',
    ]),
  );
  const parsed = LocalConfigSchema.parse({
    ...ports,
    EV_DATA_DIR: dir,
    EV_STATIONS: '5',
    EV_REPORT_MS: '400',
    EV_SWEEP_MS: '1000',
    EV_WEB: 'off',
    EV_DEMO_DRIVER: 'off',
    EV_LOG_LEVEL: 'error',
    ...env,
  });
  const cfg: LocalConfig = { ...parsed, dataDir: dir };
  const stack = await startLocalStack(cfg);
  return {
    stack,
    dataDir: dir,
    target: {
      cognitoEndpoint: stack.urls.cognito,
      userPoolId: stack.urls.userPoolId,
      clientId: stack.urls.clientId,
      graphqlUrl: stack.urls.graphql,
      region: REGION,
    },
    async stop(opts) {
      await stack.close();
      if (!opts?.keepData) await rm(dir, { recursive: true, force: true });
    },
  };
}
