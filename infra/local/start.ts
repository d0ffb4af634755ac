/**
 * `npm start`: the whole platform on this machine. Prints one readiness block (URLs, demo logins, test
 * cards, how to stop) and writes .data/stack.json for `npm run status`. Ctrl-C stops every part.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLocalConfig } from './stack/local-config.js';
import { PreflightError, preflight } from './stack/preflight.js';
import { startStackDynamoDb } from './stack/stack-dynamodb.js';
import { removeStackFile, writeStackFile } from './stack/stack-file.js';

// The platform targets Node 20 locally (Lambda runs a newer runtime); the SDK's notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// From the process start, so loading the code (tsx compiles it on first run) counts too.
const t0 = performance.timeOrigin;
const out = (s: string) => process.stdout.write(`${s}\n`);
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s`;

async function main(): Promise<void> {
  // Ctrl-C while starting: let the parts already under way come up, then stop them all (a signal's
  // default action would end this process and leave the JVM running).
  let stopRequested: string | undefined;
  const early = (signal: string) => () => {
    stopRequested ??= signal;
    out(`\n${signal}: stopping as soon as the parts already starting are up…`);
  };
  const earlyInt = early('SIGINT');
  const earlyTerm = early('SIGTERM');
  process.on('SIGINT', earlyInt);
  process.on('SIGTERM', earlyTerm);

  const cfg = loadLocalConfig();
  const notes = await preflight(cfg);
  out(`ev-charge: starting the local platform (data in ${cfg.dataDir})`);
  for (const note of notes) out(`  ! ${note}`);
  // The JVM is the slowest part to boot: start it now and load the rest of the code meanwhile.
  const dynamodb = startStackDynamoDb(cfg);
  dynamodb.catch(() => undefined); // handled: the stack awaits it and reports a failure
  out(`  · ${elapsed()} DynamoDB Local (starting in the background)…`);
  const { startLocalStack } = await import('./stack/local-stack.js');
  const { DEMO_DRIVER, DEMO_OPERATOR } = await import('./stack/demo-users.js');
  const stack = await startLocalStack(cfg, (step) => out(`  · ${elapsed()} ${step}`), { dynamodb });
  process.removeListener('SIGINT', earlyInt);
  process.removeListener('SIGTERM', earlyTerm);
  if (stopRequested) {
    await stack.close();
    out('stopped.');
    process.exit(0);
  }
  const readyInMs = Math.round(Date.now() - t0);
  writeStackFile(cfg.dataDir, {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    readyInMs,
    children: stack.children,
    urls: stack.urls,
  });

  const u = stack.urls;
  const secs = (readyInMs / 1000).toFixed(1);
  out(`
════════════════════════════════════════════════════════════════════════
 EV charge — local platform READY in ${secs} s
────────────────────────────────────────────────────────────────────────
 Web app          ${u.web ?? '(off: EV_WEB=off)'}
 GraphQL API      ${u.graphql}   (realtime ${u.realtime})
 Cognito          ${u.cognito}   pool ${u.userPoolId}  client ${u.clientId}
 Stripe           ${u.stripe}   webhooks → ${u.webhook}
 MQTT broker      ${u.mqtt}   (WebSocket ${u.mqttWs}, IoT data plane ${u.iotData})
 DynamoDB Local   ${u.dynamodb}
 Stations         ${stack.stations.length} simulated: ${stack.stations
   .slice(0, 4)
   .map((s) => s.id)
   .join(', ')}${stack.stations.length > 4 ? ', …' : ''}
────────────────────────────────────────────────────────────────────────
 Demo driver      ${DEMO_DRIVER} / ${stack.secrets.demoPassword}
 Demo operator    ${DEMO_OPERATOR} / ${stack.secrets.demoPassword}
 Test cards       4242 4242 4242 4242  succeeds
                  4000 0025 0000 3155  asks for authentication once, then works
                  4000 0000 0000 0341  saves, but every charge is declined
                  4000 0000 0000 9995  insufficient funds
                  (any future expiry, any CVC)
 Sign-up codes    printed below as they are issued
 Status           npm run status          Stop: Ctrl-C
════════════════════════════════════════════════════════════════════════
READY`);

  const printed = new Set<string>();
  const codes = setInterval(() => {
    printNewCodes(stack.cognitoPool.dataDir, stack.cognitoPool.userPoolId, printed).catch(() => undefined);
  }, 1_000);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(codes);
    out(`\n${signal}: stopping…`);
    // Bounded: a part that hangs must not keep Ctrl-C from working (the exit hooks end the JVM).
    const hung = setTimeout(() => {
      out('a part did not stop within 20 s; exiting anyway');
      process.exit(1);
    }, 20_000);
    await stack.close();
    clearTimeout(hung);
    removeStackFile(cfg.dataDir);
    out('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

async function printNewCodes(dataDir: string, poolId: string, printed: Set<string>): Promise<void> {
  const db = JSON.parse(await readFile(join(dataDir, '.cognito', 'db', `${poolId}.json`), 'utf8')) as {
    Users?: Record<
      string,
      { UserStatus?: string; ConfirmationCode?: string; Attributes?: { Name: string; Value?: string }[] }
    >;
  };
  for (const user of Object.values(db.Users ?? {})) {
    const email = user.Attributes?.find((a) => a.Name === 'email')?.Value;
    const key = `${email}:${user.ConfirmationCode}`;
    if (user.UserStatus === 'UNCONFIRMED' && user.ConfirmationCode && email && !printed.has(key)) {
      printed.add(key);
      out(`  ✉ sign-up code for ${email}: ${user.ConfirmationCode}`);
    }
  }
}

main().catch((e: unknown) => {
  if (e instanceof PreflightError) {
    process.stderr.write(`\n✗ ${e.message}\n`);
  } else {
    process.stderr.write(`\n✗ the local platform did not start: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.EV_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
  }
  process.exit(1);
});
