import type { LogFields, Logger } from '../../ports/logger.port.js';

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields?: LogFields;
}

/** Keeps every record so tests can assert what was (and was not) logged. */
export class MemoryLogger implements Logger {
  readonly records: LogRecord[] = [];

  debug(msg: string, fields?: LogFields): void {
    this.records.push({ level: 'debug', msg, fields });
  }
  info(msg: string, fields?: LogFields): void {
    this.records.push({ level: 'info', msg, fields });
  }
  warn(msg: string, fields?: LogFields): void {
    this.records.push({ level: 'warn', msg, fields });
  }
  error(msg: string, fields?: LogFields): void {
    this.records.push({ level: 'error', msg, fields });
  }

  at(level: LogRecord['level']): LogRecord[] {
    return this.records.filter((r) => r.level === level);
  }
}
