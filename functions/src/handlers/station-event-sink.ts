/**
 * Where validated station messages go. The station-events handler only parses, authenticates the
 * topic and filters unknown stations; the composition root wires each method to a use-case.
 * Every method may be called again for the same message (QoS 1 redelivery): implementations are
 * idempotent. A rejection makes the handler fail the event so the platform retries it.
 */
import type { Ack, MeterReport, SessionEnd, StationEvent } from '../../../contracts/station-protocol.js';
import type { PresenceSignal } from '../use-cases/station-presence.js';

export type FaultEvent = Extract<StationEvent, { event: 'fault' }>;
export type PilotEvent = Extract<StationEvent, { event: 'pilot' }>;
export type BootEvent = Extract<StationEvent, { event: 'boot' }>;

/** Broker-side facts about one message, from the IoT rule (not from the station). */
export interface InboundMeta {
  topic: string;
  /** When the broker (rules engine) received it, epoch ms and ISO. */
  receivedAtMs: number;
  receivedAt: string;
}

export interface StationEventSink {
  ack(stationId: string, ack: Ack, meta: InboundMeta): Promise<void>;
  meter(stationId: string, report: MeterReport, meta: InboundMeta): Promise<void>;
  sessionEnd(stationId: string, end: SessionEnd, meta: InboundMeta): Promise<void>;
  fault(stationId: string, fault: FaultEvent, meta: InboundMeta): Promise<void>;
  pilot(stationId: string, pilot: PilotEvent, meta: InboundMeta): Promise<void>;
  /** A (re)boot: any session the station had is gone from its memory. */
  boot(stationId: string, boot: BootEvent, meta: InboundMeta): Promise<void>;
  /** From `conn` and `state`; shaped for `makeStationPresence(...).apply`. */
  presence(stationId: string, signal: PresenceSignal, meta: InboundMeta): Promise<void>;
}
