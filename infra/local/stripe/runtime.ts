/** Glue shared by the API router, the hosted pages, the sweeper and operator switches. */
import type { Ctx } from './context.js';
import { API_VERSION_HEADER_DEFAULT, createEvent } from './events.js';
import type { Store } from './store.js';

export interface RequestInfo {
  id: string | null;
  idempotency_key: string | null;
  apiVersion?: string | undefined;
}

export class Runtime {
  constructor(
    readonly store: Store,
    private readonly base: { publicUrl: () => string; onDeliveries: (ids: string[]) => void },
  ) {}

  publicUrl(): string {
    return this.base.publicUrl();
  }

  /** One transaction; webhook deliveries start only after it is on disk. */
  run<R>(request: RequestInfo, fn: (ctx: Ctx) => R): R {
    return this.store.transaction((tx) => {
      const deliveries: string[] = [];
      const now = Math.floor(Date.now() / 1000);
      const ctx: Ctx = {
        tx,
        now,
        publicUrl: this.base.publicUrl(),
        request: { id: request.id, idempotency_key: request.idempotency_key },
        emit: (type, object) => {
          const event = createEvent(tx, {
            type,
            object,
            now,
            apiVersion: request.apiVersion ?? API_VERSION_HEADER_DEFAULT,
            request: { id: request.id, idempotency_key: request.idempotency_key },
          });
          for (const ep of tx.all('endpoint')) deliveries.push(`${event.id}:${ep.id}`);
        },
      };
      const result = fn(ctx);
      tx.onCommit(() => {
        if (deliveries.length > 0) this.base.onDeliveries(deliveries);
      });
      return result;
    });
  }
}
