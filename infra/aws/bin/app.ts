/** CDK entry (cdk.json: `npx tsx infra/aws/bin/app.ts`). `-c stage=prod` selects production. */
import { buildApp } from '../lib/build-app.js';

buildApp().app.synth();
