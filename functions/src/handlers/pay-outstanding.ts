/** Mutation.payOutstanding — a hosted Checkout (payment mode) for the amount that blocks the driver. */
import { z } from 'zod';
import { lambdaHandler } from '../composition/lambda.js';
import type { Logger } from '../ports/logger.port.js';
import type { PayOutstanding } from '../use-cases/pay-outstanding.js';
import { routeFields } from './graphql/resolve.js';
import { callerOf, parseArgs, unwrap } from './graphql/resolver-kit.js';

export function makeHandler(deps: { payOutstanding: PayOutstanding; logger: Logger }) {
  return routeFields(
    {
      'Mutation.payOutstanding': async (event) => {
        const caller = callerOf(event);
        parseArgs(z.object({}).strict(), event.arguments);
        const out = unwrap(await deps.payOutstanding({ driverId: caller.sub }));
        return { url: out.checkoutUrl, amountYen: out.amountYen };
      },
    },
    deps.logger,
  );
}

export const handler = lambdaHandler((d) =>
  makeHandler({ payOutstanding: d.useCases.payOutstanding, logger: d.logger }),
);
