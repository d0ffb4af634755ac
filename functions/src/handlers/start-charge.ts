/** Mutation.startCharge — the start resolver: Checkout for the first card, then the breaker closes. */
import { z } from 'zod';
import { lambdaHandler } from '../composition/lambda.js';
import type { Logger } from '../ports/logger.port.js';
import { toSessionView } from '../presenters/session-view.js';
import type { StartCharge } from '../use-cases/start-charge.js';
import { routeFields } from './graphql/resolve.js';
import { callerOf, IdArg, parseArgs, unwrap } from './graphql/resolver-kit.js';

const Args = z.object({
  stationId: IdArg,
  idempotencyKey: z
    .string()
    .min(8, 'at least 8 characters')
    .max(128)
    .regex(/^[\w-]+$/),
});

export function makeHandler(deps: { startCharge: StartCharge; logger: Logger }) {
  return routeFields(
    {
      'Mutation.startCharge': async (event) => {
        const caller = callerOf(event);
        const args = parseArgs(Args, event.arguments);
        const out = unwrap(
          await deps.startCharge({
            driverId: caller.sub,
            email: caller.email,
            stationId: args.stationId,
            startKey: args.idempotencyKey,
          }),
        );
        return { session: toSessionView(out.session), checkoutUrl: out.checkoutUrl ?? null };
      },
    },
    deps.logger,
  );
}

export const handler = lambdaHandler((d) => makeHandler({ startCharge: d.useCases.startCharge, logger: d.logger }));
