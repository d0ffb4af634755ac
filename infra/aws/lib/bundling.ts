/**
 * One set of esbuild options for the CDK bundles and for scripts/bundle-sizes.ts, so the sizes the
 * script reports are the sizes that deploy.
 */
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
export const ESBUILD_TARGET = 'node24';

/**
 * The Node.js 24 runtime ships AWS SDK v3; bundling it again would only add ~0.5 MB per function.
 * @smithy/* stays bundled: the AppSync IAM client uses its signer directly.
 */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];

/** CommonJS dependencies bundled into an ES module still call `require` for Node built-ins. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __evCreateRequire } from 'node:module'; const require = __evCreateRequire(import.meta.url);";

export const MAIN_FIELDS = ['module', 'main'];

export function lambdaBundling(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: ESBUILD_TARGET,
    minify: true,
    sourceMap: true,
    // Stack traces need names and lines, not the sources: keeps the zip small.
    sourcesContent: false,
    mainFields: MAIN_FIELDS,
    banner: ESM_REQUIRE_BANNER,
    externalModules: EXTERNAL_MODULES,
  };
}
