/** A whole backend on in-memory fakes: the use-cases exactly as the composition root builds them. */
import { type MemoryWorld, makeMemoryWorld } from '../../../functions/src/adapters/memory/memory-world.js';
import { newDriver } from '../../../functions/src/domain/driver-effects.js';
import type { Station } from '../../../functions/src/domain/station.js';
import type { Tariff } from '../../../functions/src/domain/tariff.js';
import type { BreakerCommand } from '../../../functions/src/ports/breaker-control.port.js';
import {
  DEFAULT_USE_CASE_CONFIG,
  type UseCaseConfig,
  type UseCaseDeps,
} from '../../../functions/src/use-cases/deps.js';
import { makeUseCases, type UseCases } from '../../../functions/src/use-cases/index.js';

export const T0 = '2026-03-01T09:00:00.000Z';
export const TARIFF: Tariff = { milliYenPerKwh: 55_500, sessionFeeYen: 0, milliYenPerMinute: 0 };

export interface Harness extends MemoryWorld {
  deps: UseCaseDeps;
  uc: UseCases;
  addStation(id: string, patch?: Partial<Station>): Promise<void>;
  driverWithCard(id: string): Promise<void>;
  lastCommand(sessionId: string, action: BreakerCommand['action']): BreakerCommand;
  ackClose(sessionId: string, registerWh: number, ok?: boolean): ReturnType<UseCases['breakerAcked']>;
  ackOpen(sessionId: string, registerWh: number): ReturnType<UseCases['breakerAcked']>;
  eventId(): string;
}

export function harness(config: Partial<UseCaseConfig> = {}): Harness {
  const w = makeMemoryWorld(T0);
  const deps: UseCaseDeps = { ...w, config: { webBaseUrl: 'https://app.test', ...DEFAULT_USE_CASE_CONFIG, ...config } };
  const uc = makeUseCases(deps);
  let events = 0;
  const h: Harness = {
    ...w,
    deps,
    uc,
    async addStation(id, patch = {}) {
      await w.stations.put({
        id,
        name: `Lot ${id}`,
        site: 'Shibuya P1',
        model: 'breaker',
        ratedW: 3_000,
        voltageV: 200,
        tariff: TARIFF,
        online: true,
        breaker: 'open',
        updatedAt: T0,
        ...patch,
      });
    },
    async driverWithCard(id) {
      const { customerId } = await w.payments.ensureCustomer({ driverId: id });
      w.drivers.put({
        ...newDriver(id, T0),
        stripeCustomerId: customerId,
        defaultPaymentMethodId: `pm_${id}`,
        cardBrand: 'visa',
        cardLast4: '4242',
      });
    },
    lastCommand(sessionId, action) {
      const cmd = w.breaker
        .commandsFor(sessionId)
        .filter((c) => c.action === action)
        .at(-1);
      if (!cmd) throw new Error(`no ${action} command for ${sessionId}`);
      return cmd;
    },
    ackClose(sessionId, registerWh, ok = true) {
      const cmd = h.lastCommand(sessionId, 'close');
      return uc.breakerAcked({
        stationId: w.breaker.sent.find((s) => s.command.cmdId === cmd.cmdId)?.stationId ?? '',
        cmdId: cmd.cmdId,
        sessionId,
        action: 'close',
        ok,
        ...(ok ? {} : { reason: 'fault' }),
        breaker: ok ? 'closed' : 'open',
        registerWh,
        at: w.clock.iso(),
      });
    },
    ackOpen(sessionId, registerWh) {
      const cmd = h.lastCommand(sessionId, 'open');
      return uc.breakerAcked({
        stationId: w.breaker.sent.find((s) => s.command.cmdId === cmd.cmdId)?.stationId ?? '',
        cmdId: cmd.cmdId,
        sessionId,
        action: 'open',
        ok: true,
        breaker: 'open',
        registerWh,
        at: w.clock.iso(),
      });
    },
    eventId() {
      events += 1;
      return `evt_${events}`;
    },
  };
  return h;
}

/** Unwraps an ok Result or fails the test with the error. */
export function value<T, E>(r: { ok: true; value: T } | { ok: false; error: E }): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)} ${String(r.error)}`);
  return r.value;
}

export function errorCode<T, E extends { code: string }>(r: { ok: true; value: T } | { ok: false; error: E }): string {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error.code;
}
