/**
 * Serves the built web app (web/dist) with an SPA fallback and the runtime `/config.json`, so one
 * build works against the local stack and against AWS.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

export async function startWebServer(opts: {
  host: string;
  port: number;
  distDir: string;
  config: Record<string, unknown>;
}): Promise<WebServer> {
  const root = resolve(opts.distDir);
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`the web app is not built (${root}/index.html missing): run \`npm run build:web\``);
  }
  const configJson = JSON.stringify(opts.config);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(configJson);
      return;
    }
    const file = normalize(join(root, path));
    const inside = file.startsWith(root) && existsSync(file) && statSync(file).isFile();
    const target = inside ? file : join(root, 'index.html');
    const immutable = inside && path.startsWith('/assets/');
    res.writeHead(200, {
      'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    createReadStream(target).pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host}:${port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
