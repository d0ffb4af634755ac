/**
 * Bundles every handler exactly as the CDK stack does (infra/aws/lib/bundling.ts) and reports the
 * minified size of each; the last line is JSON. Goal: ≤ 1 MB per function (cold start and upload).
 *   npx tsx infra/aws/scripts/bundle-sizes.ts
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ESBUILD_TARGET, ESM_REQUIRE_BANNER, EXTERNAL_MODULES, MAIN_FIELDS } from '../lib/bundling.js';
import { HANDLERS, type HandlerName, handlerEntry, REPO_ROOT } from '../lib/shared-defs.js';

export const LIMIT_BYTES = 1024 * 1024;

export interface BundleReport {
  limitBytes: number;
  functions: Partial<Record<HandlerName, { bytes: number; kib: number }>>;
  missing: HandlerName[];
  failed: { name: HandlerName; error: string }[];
  overLimit: HandlerName[];
  /** Entries whose bundle exports no `handler` (the name every function's config points at). */
  noHandlerExport: HandlerName[];
}

export async function measureBundle(entry: string): Promise<{ bytes: number; exports: string[] }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: ESBUILD_TARGET,
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    mainFields: MAIN_FIELDS,
    banner: { js: ESM_REQUIRE_BANNER },
    external: EXTERNAL_MODULES,
    outfile: join(REPO_ROOT, 'cdk.out/bundle-sizes/index.mjs'),
    tsconfig: join(REPO_ROOT, 'tsconfig.json'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
  if (!js) throw new Error('esbuild produced no .mjs output');
  const meta = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('.mjs'))?.[1];
  return { bytes: js.contents.byteLength, exports: meta?.exports ?? [] };
}

export async function bundleReport(): Promise<BundleReport> {
  const report: BundleReport = {
    limitBytes: LIMIT_BYTES,
    functions: {},
    missing: [],
    failed: [],
    overLimit: [],
    noHandlerExport: [],
  };
  // One at a time: two cores are shared with everything else.
  for (const name of HANDLERS) {
    const entry = handlerEntry(name);
    if (!existsSync(entry)) {
      report.missing.push(name);
      continue;
    }
    try {
      const { bytes, exports } = await measureBundle(entry);
      if (!exports.includes('handler')) report.noHandlerExport.push(name);
      report.functions[name] = { bytes, kib: Math.round(bytes / 102.4) / 10 };
      if (bytes > LIMIT_BYTES) report.overLimit.push(name);
    } catch (e) {
      report.failed.push({ name, error: e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e) });
    }
  }
  return report;
}

const report = await bundleReport();
for (const [name, size] of Object.entries(report.functions)) {
  process.stdout.write(`${name.padEnd(18)} ${String(size.kib).padStart(8)} KiB\n`);
}
for (const name of report.missing) process.stdout.write(`${name.padEnd(18)} missing: ${handlerEntry(name)}\n`);
for (const f of report.failed) process.stdout.write(`${f.name.padEnd(18)} failed: ${f.error}\n`);
for (const name of report.noHandlerExport) process.stdout.write(`${name.padEnd(18)} exports no \`handler\`\n`);
process.stdout.write(`${JSON.stringify(report)}\n`);
const broken = report.overLimit.length + report.missing.length + report.failed.length + report.noHandlerExport.length;
if (broken > 0) process.exitCode = 1;
