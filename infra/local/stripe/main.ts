/**
 * Stand-alone emulator: `npx tsx infra/local/stripe/main.ts --port 0 --data .data/stripe
 * --webhook http://127.0.0.1:3000/stripe=whsec_…`. Prints one JSON line `{"url":…,"port":…}` when ready.
 */
import { parseArgs } from 'node:util';
import { startStripeEmulator } from './emulator.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    data: { type: 'string' },
    'public-url': { type: 'string' },
    webhook: { type: 'string', multiple: true, default: [] },
  },
});

const webhooks = (values.webhook ?? []).map((w) => {
  const at = w.lastIndexOf('=');
  if (at <= 0) throw new Error(`--webhook expects URL=SECRET, got ${w}`);
  return { url: w.slice(0, at), secret: w.slice(at + 1) };
});

const emulator = await startStripeEmulator({
  host: values.host,
  port: Number(values.port),
  ...(values.data ? { dataDir: values.data } : {}),
  ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
  webhooks,
});
process.stdout.write(`${JSON.stringify({ url: emulator.url, port: emulator.port })}\n`);

const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
