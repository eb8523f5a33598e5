/**
 * Configuration: read once from the environment at start-up, validated, with an error that
 * names the variable and the form it expects. Every variable is listed in the README.
 */
import { z } from 'zod';
import type { Thresholds } from './figures.ts';

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const num = (def: number, min: number, max: number) => z.coerce.number().min(min).max(max).default(def);

const timeZone = z
  .string()
  .default('Europe/Amsterdam')
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Amsterdam');

export const schema = z.object({
  AMI_HOST: z.string().min(1).optional(),
  AMI_PORT: int(5038, 1, 65535),
  AMI_USERNAME: z.string().min(1).default('belofte'),
  AMI_SECRET: z.string().default('belofte'),
  AMI_CLIENT: z.enum(['lean', 'asterisk-manager']).default('lean'),
  AMI_PING_INTERVAL_MS: int(15_000, 100, 600_000),
  AMI_PING_TIMEOUT_MS: int(5_000, 100, 60_000),
  AMI_RECONNECT_MIN_MS: int(500, 10, 60_000),
  AMI_RECONNECT_MAX_MS: int(30_000, 100, 600_000),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." or "-"').default('belofte'),
  BELOFTE_SITE: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." or "-"').default('main'),
  BELOFTE_TIMEZONE: timeZone,
  TARGET_SECONDS: int(20, 1, 3600),
  SERVICE_LEVEL_TARGET: num(0.8, 0, 1),
  GUARANTEE_SECONDS: int(300, 1, 86_400),
  MAX_TRANSFERS: int(2, 0, 100),
  SHORT_ABANDON_SECONDS: int(0, 0, 600),
  RETENTION_DAYS: int(400, 1, 3650),
  BUFFER_MAX_EVENTS: int(200_000, 1_000, 10_000_000),
  PORT: int(8080, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SIMULATOR_PORT: int(5038, 0, 65535),
  SIMULATOR_SPEED: num(1, 0.01, 10_000),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set" (docker-compose writes `AMI_HOST=` for unset ones).
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}=${JSON.stringify(cleaned[String(i.path[0])] ?? '')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function thresholdsOf(c: Config): Thresholds {
  return {
    targetSeconds: c.TARGET_SECONDS,
    serviceLevelTarget: c.SERVICE_LEVEL_TARGET,
    guaranteeSeconds: c.GUARANTEE_SECONDS,
    maxTransfers: c.MAX_TRANSFERS,
    shortAbandonSeconds: c.SHORT_ABANDON_SECONDS,
  };
}

/** The Redis URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
