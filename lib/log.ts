import { pino } from 'pino';

export type Logger = pino.Logger;

/** One JSON line per event on stderr, tagged with the process role, so several processes can share a terminal. */
export function createLogger(role: string, level = 'info'): Logger {
  return pino({ level, base: { role }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
}
