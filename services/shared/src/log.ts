/** Structured JSON logs (pino). Secrets are redacted wherever they might be logged. */
import { pino, type Logger } from 'pino';

export function createLogger(service: string, level: string): Logger {
  return pino({
    name: service,
    level,
    redact: { paths: ['secret', '*.secret', 'AMI_SECRET', '*.AMI_SECRET', 'password', '*.password', 'token', '*.token'], censor: '***' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export type { Logger };
