import type { TableNames } from '../../../functions/src/adapters/dynamodb/tables.js';
import type { Config } from '../../../functions/src/config.js';

/** The functions' table settings for a set of table names: the stack and `npm run reconcile` agree on every table. */
export function tableConfig(
  tables: TableNames,
): Pick<
  Config,
  'TABLE_SESSIONS' | 'TABLE_DRIVERS' | 'TABLE_STATIONS' | 'TABLE_EVENTS' | 'TABLE_REDRIVE_TRIES' | 'TABLE_ANOMALIES'
> {
  return {
    TABLE_SESSIONS: tables.sessions,
    TABLE_DRIVERS: tables.drivers,
    TABLE_STATIONS: tables.stations,
    TABLE_EVENTS: tables.processedEvents,
    TABLE_REDRIVE_TRIES: tables.redriveTries,
    TABLE_ANOMALIES: tables.anomalies,
  };
}
