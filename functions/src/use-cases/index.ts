/** Every use-case built from one set of dependencies (the composition root calls this once). */
import { makeBreakerAcked } from './breaker-acked.js';
import { makeChargeSession } from './charge-session.js';
import { makeCheckoutCompleted } from './checkout-completed.js';
import { makeCheckoutExpired } from './checkout-expired.js';
import type { UseCaseDeps } from './deps.js';
import { makeGetMe } from './get-me.js';
import { makeGetSession, makeGetSessionLedger } from './get-session.js';
import { makeListMySessions } from './list-my-sessions.js';
import { makeListStations } from './list-stations.js';
import { makeMeterReported } from './meter-reported.js';
import { makePayOutstanding } from './pay-outstanding.js';
import { makePaymentEvent, makePaymentEventDispatch } from './payment-event.js';
import { makeSessionEndedByStation } from './session-ended-by-station.js';
import { makeStartCharge } from './start-charge.js';
import { makeStopCharge } from './stop-charge.js';
import { makeSweepStale } from './sweep-stale.js';

export function makeUseCases(deps: UseCaseDeps) {
  return {
    startCharge: makeStartCharge(deps),
    stopCharge: makeStopCharge(deps),
    checkoutCompleted: makeCheckoutCompleted(deps),
    checkoutExpired: makeCheckoutExpired(deps),
    breakerAcked: makeBreakerAcked(deps),
    sessionEndedByStation: makeSessionEndedByStation(deps),
    chargeSession: makeChargeSession(deps),
    paymentEvent: makePaymentEvent(deps),
    paymentEventDedupedByCaller: makePaymentEventDispatch(deps),
    payOutstanding: makePayOutstanding(deps),
    meterReported: makeMeterReported(deps),
    sweepStale: makeSweepStale(deps),
    getSession: makeGetSession(deps),
    getSessionLedger: makeGetSessionLedger(deps),
    listMySessions: makeListMySessions(deps),
    getMe: makeGetMe(deps),
    listStations: makeListStations(deps),
  };
}

export type UseCases = ReturnType<typeof makeUseCases>;
