/**
 * `export const handler = lambdaHandler((deps) => makeHandler(...))`: the dependencies are built once
 * per cold start, on the first invocation (so importing a handler module has no side effects and tests
 * can import `makeHandler` freely).
 */
import { loadConfig } from '../config.js';
import { type AppDeps, buildDeps } from './build-deps.js';

let shared: Promise<AppDeps> | undefined;

export function appDeps(): Promise<AppDeps> {
  shared ??= buildDeps(loadConfig()).catch((e: unknown) => {
    shared = undefined; // a failed cold start is retried on the next invocation
    throw e;
  });
  return shared;
}

export function lambdaHandler<E, R>(factory: (deps: AppDeps) => (event: E) => Promise<R>): (event: E) => Promise<R> {
  let built: ((event: E) => Promise<R>) | undefined;
  return async (event) => {
    built ??= factory(await appDeps());
    return built(event);
  };
}
