import { useCallback, useEffect, useState } from 'react';
import type { ChargingSession } from '../api/schemas.js';
import { useServices } from '../app/services.js';
import type { MessageKey } from '../i18n/translate.js';
import { toApiError } from '../lib/api-errors.js';
import { appendSample, type PowerSample } from '../lib/power-chart-scale.js';
import { isNewerOrSame, isOngoing, sessionStateView } from '../lib/session-view.js';

const MAX_SAMPLES = 720;
/** A safety net under the subscription: a missed event (e.g. the socket reconnecting) heals within this. */
const POLL_MS = 10_000;

export interface LiveSession {
  session: ChargingSession | null;
  samples: PowerSample[];
  error: MessageKey | null;
  /** Replace the session with a copy returned by a mutation (e.g. stopCharge). */
  accept(session: ChargingSession): void;
}

/** `followOwing`: keep polling a declined session too, e.g. while a just-made payment is confirmed. */
export function useLiveSession(id: string, followOwing = false): LiveSession {
  const { api } = useServices();
  const [session, setSession] = useState<ChargingSession | null>(null);
  const [samples, setSamples] = useState<PowerSample[]>([]);
  const [error, setError] = useState<MessageKey | null>(null);

  const accept = useCallback((incoming: ChargingSession) => {
    setSession((current) => (isNewerOrSame(current, incoming) ? incoming : current));
    if (incoming.powerW != null && sessionStateView(incoming.state).showsLiveFigures) {
      const sample = { atMs: Date.parse(incoming.updatedAt), watts: incoming.powerW };
      setSamples((current) => appendSample(current, sample, MAX_SAMPLES));
    }
  }, []);

  useEffect(() => {
    let active = true;
    setSession(null);
    setSamples([]);
    setError(null);
    const fetchOnce = async () => {
      try {
        const found = await api.session(id);
        if (!active) return;
        if (found) accept(found);
        else setError('api.error.sessionNotFound');
      } catch (thrown) {
        if (active) setError(toApiError(thrown).messageKey);
      }
    };
    void fetchOnce();
    const unsubscribe = api.onSessionUpdate(
      id,
      (update) => active && accept(update),
      () => undefined,
    );
    return () => {
      active = false;
      unsubscribe();
    };
  }, [api, id, accept]);

  const ongoing = session
    ? isOngoing(session.state) || (followOwing && sessionStateView(session.state).needsPayment)
    : false;
  useEffect(() => {
    if (!ongoing) return;
    let active = true;
    const timer = window.setInterval(() => {
      api
        .session(id)
        .then((found) => active && found && accept(found))
        .catch(() => undefined);
    }, POLL_MS);
    return () => {
      active = false;
      window.clearInterval(timer);
    };
  }, [api, id, ongoing, accept]);

  return { session, samples, error, accept };
}

/** The current time, ticking while `running`. */
export function useNow(running: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNow(Date.now());
    if (!running) return;
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [running, intervalMs]);
  return now;
}
