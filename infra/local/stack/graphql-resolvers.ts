/**
 * The local AppSync server's resolver map: each field invokes the same handler the cloud's Lambda data
 * source would, with the AppSync-shaped event; the publish mutations echo their input like AppSync's
 * NONE data source. Also the owner-only delivery rule for session updates.
 */
import type { AppDeps } from '../../../functions/src/composition/build-deps.js';
import { makeHandler as payOutstanding } from '../../../functions/src/handlers/pay-outstanding.js';
import { makeHandler as queries } from '../../../functions/src/handlers/queries.js';
import { makeHandler as startCharge } from '../../../functions/src/handlers/start-charge.js';
import { makeHandler as stopCharge } from '../../../functions/src/handlers/stop-charge.js';
import type { AppSyncResolver, NoneDataSource, SubscriptionFilter } from '../appsync/index.js';
import type { LocalConfig } from './local-config.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

const ownerOnly: SubscriptionFilter = (payload, identity) =>
  'sub' in identity && isRecord(payload) && payload.driverId === identity.sub;

/** Session updates reach only the session's owner, whatever arguments a client subscribed with. */
export const SUBSCRIPTION_FILTERS: Record<string, SubscriptionFilter> = {
  'Subscription.onSessionUpdate': ownerOnly,
  'Subscription.onMySessionUpdates': ownerOnly,
};

export function graphqlResolvers(viaDeps: (pick: (d: AppDeps) => AppSyncResolver) => AppSyncResolver) {
  const cache = new WeakMap<AppDeps, Record<string, AppSyncResolver>>();
  const handlersOf = (d: AppDeps) => {
    let h = cache.get(d);
    if (!h) {
      const q = queries({ ...d.useCases, ...d.operator, logger: d.logger });
      h = {
        q,
        start: startCharge({ startCharge: d.useCases.startCharge, logger: d.logger }),
        stop: stopCharge({ stopCharge: d.useCases.stopCharge, logger: d.logger }),
        pay: payOutstanding({ payOutstanding: d.useCases.payOutstanding, logger: d.logger }),
      };
      cache.set(d, h);
    }
    return h;
  };
  const field = (name: 'q' | 'start' | 'stop' | 'pay') => viaDeps((d) => handlersOf(d)[name] as AppSyncResolver);
  // The publish mutations are on AppSync's NONE data source: the input is the result, no Lambda event.
  const echo: NoneDataSource = { none: (args) => args.input };
  return {
    'Query.stations': field('q'),
    'Query.station': field('q'),
    'Query.me': field('q'),
    'Query.mySessions': field('q'),
    'Query.session': field('q'),
    'Query.operatorSessions': field('q'),
    'Query.operatorAlerts': field('q'),
    'Query.operatorAnomalies': field('q'),
    'Mutation.reviewAnomaly': field('q'),
    'Subscription.onSessionUpdate': field('q'),
    'Subscription.onMySessionUpdates': field('q'),
    'Subscription.onStationUpdate': field('q'),
    'Mutation.startCharge': field('start'),
    'Mutation.stopCharge': field('stop'),
    'Mutation.payOutstanding': field('pay'),
    'Mutation.publishSessionUpdate': echo,
    'Mutation.publishStationUpdate': echo,
  };
}

export function quietLogger(cfg: LocalConfig) {
  const quiet = cfg.EV_LOG_LEVEL === 'warn' || cfg.EV_LOG_LEVEL === 'error' || cfg.EV_LOG_LEVEL === 'silent';
  const write = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    if (quiet && (level === 'debug' || level === 'info')) return;
    process.stderr.write(`${JSON.stringify({ level, msg, ...fields })}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
