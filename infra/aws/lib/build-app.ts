import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PlatformStack, stackName } from './platform-stack.js';
import { stageConfig } from './stage-config.js';

/**
 * The CDK app as bin/app.ts and the tests build it: one stack for the stage chosen by context, with
 * cdk-nag's AwsSolutions pack as a validation plugin so `cdk synth` fails on an unexplained finding.
 */
export interface BuildAppOptions extends AppProps {
  handlersDir?: string;
  /** Adds cdk-nag as a synth-time validation plugin (default). Tests run the pack themselves to list findings. */
  nag?: boolean;
}

export function buildApp(options: BuildAppOptions = {}, env: Record<string, string | undefined> = process.env) {
  const { handlersDir, nag = true, ...props } = options;
  const app = new App(props);
  const context: Record<string, unknown> = {};
  for (const key of ['stage', 'account', 'region', 'alarmEmail', 'webBaseUrl', 'iotEndpoint', 'reservedConcurrency']) {
    const value = app.node.tryGetContext(key);
    if (value !== undefined) context[key] = value;
  }
  const config = stageConfig(context, env);
  const stack = new PlatformStack(app, stackName(config), config, { handlersDir });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config };
}
