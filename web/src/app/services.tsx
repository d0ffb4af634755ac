import { createContext, type ReactNode, useContext } from 'react';
import type { EvApi } from '../api/ev-api.js';
import type { AuthClient } from '../auth/auth-client.js';

export interface Services {
  api: EvApi;
  auth: AuthClient;
  /** Leaves the app for a hosted page (Stripe Checkout); injectable so it can be observed. */
  openExternal(url: string): void;
}

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const value = useContext(ServicesContext);
  if (!value) throw new Error('useServices outside ServicesProvider');
  return value;
}
