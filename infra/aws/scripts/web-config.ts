/**
 * Turns the stack outputs into the web app's runtime config:
 *   npx cdk deploy -c stage=dev --outputs-file cdk-outputs.json
 *   npx tsx infra/aws/scripts/web-config.ts --outputs cdk-outputs.json --stage dev [--out web/public/config.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { OUTPUTS, stackName } from '../lib/platform-stack.js';
import { REPO_ROOT } from '../lib/shared-defs.js';
import { Stage } from '../lib/stage-config.js';

const StackOutputs = z.object({
  [OUTPUTS.region]: z.string().min(1),
  [OUTPUTS.userPoolId]: z.string().regex(/^[\w-]+_[0-9A-Za-z]+$/),
  [OUTPUTS.userPoolClientId]: z.string().min(1),
  [OUTPUTS.graphqlEndpoint]: z.url(),
});

/** What web/src/config/runtime-config.ts parses from /config.json. */
export interface WebConfig {
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  graphqlEndpoint: string;
  authFlowType: 'USER_SRP_AUTH';
}

/** `outputsFile` is `cdk deploy --outputs-file`'s JSON: `{ "<stack>": { "<OutputKey>": "<value>" } }`. */
export function webConfigFromOutputs(outputsFile: unknown, stack: string): WebConfig {
  const all = z.record(z.string(), z.record(z.string(), z.string())).parse(outputsFile);
  const mine = all[stack];
  if (!mine) throw new Error(`no outputs for stack ${stack} (have: ${Object.keys(all).join(', ') || 'none'})`);
  const o = StackOutputs.parse(mine);
  return {
    region: o[OUTPUTS.region],
    userPoolId: o[OUTPUTS.userPoolId],
    userPoolClientId: o[OUTPUTS.userPoolClientId],
    graphqlEndpoint: o[OUTPUTS.graphqlEndpoint],
    // Cognito in AWS signs in with SRP: the password never leaves the browser.
    authFlowType: 'USER_SRP_AUTH',
  };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      outputs: { type: 'string', default: 'cdk-outputs.json' },
      stage: { type: 'string', default: 'dev' },
      out: { type: 'string', default: resolve(REPO_ROOT, 'web/public/config.json') },
    },
  });
  const config = webConfigFromOutputs(
    JSON.parse(readFileSync(values.outputs, 'utf8')),
    stackName({ stage: Stage.parse(values.stage) }),
  );
  writeFileSync(values.out, `${JSON.stringify(config, null, 2)}\n`);
  process.stdout.write(`wrote ${values.out}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) main();
