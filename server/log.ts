import pino from 'pino';
import { env } from './env';

/**
 * Structured JSON logs (pino); pretty in development. Child loggers carry the ids
 * (event, delivery, customer) of what they describe.
 */
export function createLogger(name: string) {
  const e = env();
  const pretty = e.LOG_PRETTY ?? e.NODE_ENV === 'development';
  return pino({
    name,
    level: e.LOG_LEVEL,
    ...(pretty && { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } }),
  });
}

export type Logger = ReturnType<typeof createLogger>;
