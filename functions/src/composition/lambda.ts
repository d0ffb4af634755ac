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

type Handler<E, R> = (event: E) => Promise<R>;

export function lambdaHandler<E, R>(factory: (deps: AppDeps) => Handler<E, R> | Promise<Handler<E, R>>): Handler<E, R> {
  let built: Promise<Handler<E, R>> | undefined;
  return async (event) => {
    built ??= appDeps()
      .then(factory)
      .catch((e: unknown) => {
        built = undefined;
        throw e;
      });
    return (await built)(event);
  };
}
