import { pino } from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;

/** `auto`: readable lines when the log goes to a terminal, JSON lines otherwise (files, pipes, collectors). */
export const logFormats = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

/**
 * One event per line on stderr, tagged with the process role, so several processes can share a
 * terminal. On a terminal the lines are for people (time, level, role, message, the fields after);
 * anywhere else they are JSON for machines. Both are written synchronously: a crash loses nothing.
 */
export function createLogger(role: string, level = 'info', format: LogFormat = 'auto'): Logger {
  const options = { level, base: { role }, timestamp: pino.stdTimeFunctions.isoTime };
  const human = format === 'pretty' || (format === 'auto' && Boolean(process.stderr.isTTY));
  if (!human) return pino(options, pino.destination(2));
  return pino(
    options,
    pretty({
      destination: 2,
      sync: true,
      colorize: format === 'auto',
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,role',
      messageFormat: '{role}: {msg}',
      singleLine: false,
    }),
  );
}
