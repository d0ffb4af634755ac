import type { Logger } from '../../../functions/src/ports/logger.port.js';

/** warn/error as JSON lines on stderr: the local stand-ins must not be silent about refusals. */
export const stderrLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (msg, fields) => process.stderr.write(`${JSON.stringify({ level: 'warn', msg, ...fields })}\n`),
  error: (msg, fields) => process.stderr.write(`${JSON.stringify({ level: 'error', msg, ...fields })}\n`),
};
