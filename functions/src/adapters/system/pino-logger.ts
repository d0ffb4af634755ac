import { type Logger as Pino, pino } from 'pino';
import type { LogFields, Logger } from '../../ports/logger.port.js';

/** Keys whose values never reach a log line, wherever they appear in the fields. */
const REDACT = [
  'authorization',
  'Authorization',
  'password',
  'secret',
  'stripeSecretKey',
  'token',
  'idToken',
  'accessToken',
  'card',
  'cardNumber',
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.card',
  'headers.authorization',
  'headers["stripe-signature"]',
];

export class PinoLogger implements Logger {
  private readonly log: Pino;

  constructor(opts: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {}) {
    this.log = pino(
      { level: opts.level ?? 'info', name: opts.name, redact: { paths: REDACT, censor: '[redacted]' } },
      opts.destination ?? process.stdout,
    );
  }

  debug(msg: string, fields?: LogFields): void {
    this.log.debug(fields ?? {}, msg);
  }
  info(msg: string, fields?: LogFields): void {
    this.log.info(fields ?? {}, msg);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log.warn(fields ?? {}, msg);
  }
  error(msg: string, fields?: LogFields): void {
    this.log.error(fields ?? {}, msg);
  }
}
