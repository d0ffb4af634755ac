import type { Driver } from '../domain/driver.js';
import { newDriver } from '../domain/driver-effects.js';
import { DomainError } from '../domain/errors.js';
import { err, ok, type Result } from '../domain/result.js';
import type { ExposureCap, Session } from '../domain/session.js';
import { openSession, type SessionStart } from '../domain/session-factory.js';
import type { UseCaseDeps } from './deps.js';
import { checkoutUrls, energize } from './energize.js';
import { updateDriver } from './session-commit.js';
import { publishStationView } from './station-effects.js';

export interface StartChargeInput {
  driverId: string;
  email?: string;
  stationId: string;
  /** The client's idempotency key: the same key returns the same session. */
  startKey: string;
  exposureCap?: ExposureCap;
}

export interface StartChargeOutput {
  session: Session;
  /** Present while a card must be saved first. */
  checkoutUrl?: string;
}

export type StartCharge = (input: StartChargeInput) => Promise<Result<StartChargeOutput, DomainError>>;

export function makeStartCharge(deps: UseCaseDeps): StartCharge {
  return async (input) => {
    const invalid = validate(input);
    if (invalid) return err(invalid);
    const sessionId = deps.ids.fromParts('ses', input.driverId, input.startKey);
    // The three reads are independent: in parallel they cost one round trip (the store adapter may
    // even fold them into one call); a repeated start then simply ignores the other two.
    const [existing, known, station] = await Promise.all([
      deps.sessions.get(sessionId),
      deps.drivers.get(input.driverId),
      deps.stations.get(input.stationId),
    ]);
    if (existing) {
      // Like Stripe's idempotency: the same key with different parameters is a client error, not a replay.
      if (existing.stationId !== input.stationId) {
        return err(
          new DomainError('VALIDATION', 'This idempotencyKey was already used to start at another station.', {
            sessionId: existing.id,
            stationId: existing.stationId,
          }),
        );
      }
      return ok(output(existing));
    }

    const at = deps.clock.now().toISOString();
    let driver = known ?? (await deps.drivers.ensure(newDriver(input.driverId, at, input.email)));
    if (driver.blocked) {
      return err(
        new DomainError('PAYMENT.REQUIRED', 'An unpaid session blocks new sessions; pay it first.', {
          sessionId: driver.blockedBySessionId,
        }),
      );
    }
    if (!station) return err(new DomainError('STATION.NOT_FOUND', `No station ${input.stationId}.`));
    if (!station.online || station.fault) {
      return err(
        new DomainError('STATION.OFFLINE', `Station ${station.id} is ${station.online ? 'faulted' : 'offline'}.`, {
          stationId: station.id,
          fault: station.fault,
        }),
      );
    }
    if (station.activeSessionId && station.activeSessionId !== sessionId) return err(busy(station.id));

    driver = await ensureCustomer(deps, driver);
    const customerId = driver.stripeCustomerId;
    if (!customerId) throw new Error(`driver ${driver.id} has no processor customer`);
    if (!(await deps.stations.claim(station.id, sessionId, at))) return err(busy(station.id));

    let start: SessionStart;
    try {
      start = driver.defaultPaymentMethodId
        ? {
            kind: 'cardOnFile',
            paymentMethodId: driver.defaultPaymentMethodId,
            cardBrand: driver.cardBrand,
            cardLast4: driver.cardLast4,
            startCmdId: deps.ids.next('cmd'),
          }
        : await setupCheckout(deps, customerId, sessionId);
    } catch (e) {
      await deps.stations.release(station.id, sessionId, deps.clock.now().toISOString());
      throw e;
    }
    const opened = openSession({
      id: sessionId,
      driverId: driver.id,
      stationId: station.id,
      startKey: input.startKey,
      tariff: station.tariff,
      exposureCap: input.exposureCap ?? deps.config.defaultExposureCap,
      at,
      start,
    });
    const stored = await deps.sessions.create(opened.session, opened.entry);
    // A concurrent call with the same key created it first: it owns the side effects.
    if (!stored.created) return ok(output(stored.session));
    deps.logger.info('session opened', { sessionId, stationId: station.id, state: stored.session.state });
    // The new session itself is not published: only its owner may subscribe to it, and the owner learns
    // its id from this answer (then subscribes and reads it). The station is: everyone sees it taken —
    // as read a moment ago plus what the claim changed, no second read. The close command goes out
    // alongside that publish, not after it: the breaker is the driver's wait.
    const [, energized] = await Promise.all([
      publishStationView(deps, { ...station, activeSessionId: sessionId, updatedAt: at }),
      energize(deps, stored.session),
    ]);
    return ok(output(energized));
  };
}

function output(session: Session): StartChargeOutput {
  return session.state === 'AWAITING_PAYMENT_METHOD' && session.checkoutUrl
    ? { session, checkoutUrl: session.checkoutUrl }
    : { session };
}

const busy = (stationId: string) => new DomainError('STATION.BUSY', `Station ${stationId} is in use.`, { stationId });

async function setupCheckout(deps: UseCaseDeps, customerId: string, sessionId: string): Promise<SessionStart> {
  const link = await deps.payments.createSetupCheckout({
    customerId,
    sessionId,
    ...checkoutUrls(deps.config.webBaseUrl, sessionId),
  });
  return { kind: 'checkout', checkoutSessionId: link.checkoutSessionId, checkoutUrl: link.url };
}

/** The sign-up trigger normally links the customer; if it failed, link it now (idempotent per driver). */
async function ensureCustomer(deps: UseCaseDeps, driver: Driver): Promise<Driver> {
  if (driver.stripeCustomerId) return driver;
  const { customerId } = await deps.payments.ensureCustomer({ driverId: driver.id, email: driver.email });
  const updated = await updateDriver(deps, driver.id, (d) =>
    d.stripeCustomerId ? undefined : { stripeCustomerId: customerId },
  );
  return updated ?? { ...driver, stripeCustomerId: customerId };
}

function validate(input: StartChargeInput): DomainError | undefined {
  const bad = (message: string) => new DomainError('VALIDATION', message);
  if (!input.driverId) return bad('driverId is required');
  if (!input.stationId) return bad('stationId is required');
  if (!input.startKey || input.startKey.length > 128) return bad('idempotencyKey must be 1-128 characters');
  const cap = input.exposureCap;
  for (const v of [cap?.maxYen, cap?.maxWh]) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v <= 0)) return bad('exposure cap must be a positive integer');
  }
  return undefined;
}
