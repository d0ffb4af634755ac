/** Mutation.stopCharge — the end resolver: only the owner; the breaker opens, metering and billing follow. */
import { z } from 'zod';
import { lambdaHandler } from '../composition/lambda.js';
import type { Logger } from '../ports/logger.port.js';
import { toSessionView } from '../presenters/session-view.js';
import type { StopCharge } from '../use-cases/stop-charge.js';
import { routeFields } from './graphql/resolve.js';
import { callerOf, IdArg, parseArgs, unwrap } from './graphql/resolver-kit.js';

const Args = z.object({ sessionId: IdArg });

export function makeHandler(deps: { stopCharge: StopCharge; logger: Logger }) {
  return routeFields(
    {
      'Mutation.stopCharge': async (event) => {
        const caller = callerOf(event);
        const args = parseArgs(Args, event.arguments);
        return toSessionView(unwrap(await deps.stopCharge({ driverId: caller.sub, sessionId: args.sessionId })));
      },
    },
    deps.logger,
  );
}

export const handler = lambdaHandler((d) => makeHandler({ stopCharge: d.useCases.stopCharge, logger: d.logger }));
