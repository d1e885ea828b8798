// Logging (pino). A citizen's name or email never reaches a log line: those fields are redacted wherever they appear.
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

const CITIZEN_FIELDS = ['citizen', 'citizenName', 'citizenEmail', 'citizen_name', 'citizen_email', 'name', 'email', 'displayName'];

export const REDACT_PATHS = [
  ...CITIZEN_FIELDS,
  ...CITIZEN_FIELDS.map((f) => `*.${f}`),
  ...CITIZEN_FIELDS.map((f) => `*.*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'authorization',
  'token',
  '*.token',
  'password',
  '*.password',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'madoguchi' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A request path fit for a log line: the path part only, with link tokens (credentials) replaced. */
export const logPath = (originalUrl: string): string => (originalUrl.split('?')[0] ?? '').replace(/\/app\/(c|s)\/[^/]+/, '/app/$1/:token');
