import pino from 'pino';
import { env } from './env';

/**
 * Structured JSON logs (pino); pretty in development. Child loggers carry the ids
 * (event, delivery, customer) of what they describe.
 */
export function createLogger(name: string) {
  const environment = env();
  const pretty = environment.LOG_PRETTY ?? environment.NODE_ENV === 'development';
  return pino({
    name,
    level: environment.LOG_LEVEL,
    ...(pretty && {
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    }),
  });
}

export type Logger = ReturnType<typeof createLogger>;
