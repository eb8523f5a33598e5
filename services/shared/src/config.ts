/**
 * Configuration: read once from the environment at start-up, validated, with an error that
 * names the variable and the form it expects. Every variable is listed in the README.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseRules, type AlertRule } from './alertRules.ts';
import type { Thresholds } from './figures.ts';
import { QueueSettings, QueueSettingsSchema } from './queueSettings.ts';
import { rollupRules, type RollupRules } from './rollup.ts';
import { parseIsoWeek } from './time.ts';

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

/**
 * Bearer tokens. A token is 16 to 256 characters of letters, digits and `-._~+/=` (base64,
 * hex and UUIDs fit; `openssl rand -hex 24` makes a good one). Entries are comma-separated.
 * A wallboard or manager entry may carry a name, `name=token`, which the audit trail of breach
 * follow-ups records as who did it; an agent entry must: `<agent id>=<token>`, the agent id
 * as the phone switch names the queue member (URL-encode a `,` or `=` in it, e.g. %2C).
 */
export interface TokenEntry {
  /** A manager's or wallboard's name, or the agent id; null for a bare token. */
  name: string | null;
  token: string;
}

const TOKEN = /^[A-Za-z0-9._~+/=-]{16,256}$/;
const TOKEN_FORM = '16 to 256 characters of letters, digits and - . _ ~ + / = (e.g. from `openssl rand -hex 24`)';

function tokenList(kind: 'named-optional' | 'agent') {
  return z
    .string()
    .default('')
    .transform((text, ctx): TokenEntry[] => {
      const out: TokenEntry[] = [];
      const entries = text.split(',').map((e) => e.trim());
      entries.forEach((entry, i) => {
        const where = `entry ${i + 1} of ${entries.length}`;
        if (entry === '') {
          if (text.trim() !== '') ctx.addIssue({ code: 'custom', message: `${where} is empty (a stray comma?)` });
          return;
        }
        const eq = entry.indexOf('=');
        const name = eq > 0 ? entry.slice(0, eq).trim() : null;
        const rest = eq > 0 ? entry.slice(eq + 1).trim() : entry;
        if (kind === 'agent') {
          if (name === null) return void ctx.addIssue({ code: 'custom', message: `${where} must be <agent id>=<token>` });
          let agent: string;
          try {
            agent = decodeURIComponent(name);
          } catch {
            return void ctx.addIssue({ code: 'custom', message: `${where}: the agent id has a malformed %-escape` });
          }
          if (!TOKEN.test(rest)) return void ctx.addIssue({ code: 'custom', message: `${where} (agent ${JSON.stringify(agent)}): the token must be ${TOKEN_FORM}` });
          out.push({ name: agent, token: rest });
          return;
        }
        // `name=token` when the part after the first `=` is a whole token; otherwise the
        // entry is a bare token that happens to hold `=` (base64 padding).
        if (name !== null && /^[A-Za-z0-9 _.@-]{1,64}$/.test(name) && TOKEN.test(rest)) out.push({ name, token: rest });
        else if (TOKEN.test(entry)) out.push({ name: null, token: entry });
        else ctx.addIssue({ code: 'custom', message: `${where}: a token must be ${TOKEN_FORM}, optionally as name=token` });
      });
      return out;
    });
}

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
  /** Comma-separated host:port of Redis Cluster nodes; when set, REDIS_URL is not used. */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^([A-Za-z0-9_.:\[\]/-]+)(,[A-Za-z0-9_.:\[\]/-]+)*$/, 'comma-separated host:port list, e.g. 10.0.0.1:7000,10.0.0.2:7000')
    .optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." or "-"').default('belofte'),
  BELOFTE_SITE: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." or "-"').default('main'),
  /** Sites one API shows together (comma-separated); unset: every site the collectors registered, and BELOFTE_SITE. */
  BELOFTE_SITES: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/, 'comma-separated site names of letters, digits, "_", "." or "-", e.g. den-haag,delft')
    .transform((v) => [...new Set(v.split(','))])
    .optional(),
  /** Per-queue targets, display names and board order: a JSON list (see queueSettings.ts). */
  BELOFTE_QUEUES: QueueSettingsSchema,
  BELOFTE_TIMEZONE: timeZone,
  TARGET_SECONDS: int(20, 1, 3600),
  SERVICE_LEVEL_TARGET: num(0.8, 0, 1),
  GUARANTEE_SECONDS: int(300, 1, 86_400),
  MAX_TRANSFERS: int(2, 0, 100),
  SHORT_ABANDON_SECONDS: int(0, 0, 600),
  RETENTION_DAYS: int(400, 1, 3650),
  /** Callers' numbers are removed from the call records this many days after the call (figures stay). */
  PHONE_RETENTION_DAYS: int(90, 1, 3650),
  BUFFER_MAX_EVENTS: int(200_000, 1_000, 10_000_000),
  RESYNC_INTERVAL_MS: int(300_000, 1_000, 86_400_000),
  AMI_MAX_CLOCK_SKEW_SECONDS: int(86_400, 0, 365 * 86_400),
  MAX_WAIT_SECONDS: int(14_400, 600, 7 * 86_400),
  MAX_CALLS_IN_MEMORY: int(20_000, 100, 10_000_000),
  PORT: int(8080, 0, 65535),
  COLLECTOR_METRICS_PORT: int(9464, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SIMULATOR_PORT: int(5038, 0, 65535),
  SIMULATOR_SPEED: num(1, 0.01, 10_000),
  /** The built-in simulator's live traffic: a busy hour, or about a call a minute. */
  SIMULATOR_TRAFFIC: z.enum(['busy', 'quiet']).default('busy'),
  /** `previous` or an ISO week: `npm start` first plays that week through the built-in simulator into Redis. */
  SIMULATOR_WEEK: z
    .string()
    .refine((v) => v === 'previous' || parseIsoWeek(v) !== null, 'must be "previous" or an ISO week that exists, such as 2026-W47')
    .optional(),
  WALLBOARD_TOKENS: tokenList('named-optional'),
  MANAGER_TOKENS: tokenList('named-optional'),
  AGENT_TOKENS: tokenList('agent'),
  /** Supervisors: the live board, and the callback list with full numbers (who called back is recorded by name). */
  SUPERVISOR_TOKENS: tokenList('named-optional'),
  /** The rules themselves (alertRules.ts), or a path to a file of them (starting with / or .); `off`: no alerts. */
  ALERT_RULES: z.string().optional(),
  /** Where alerts are POSTed as JSON (http or https). */
  ALERT_WEBHOOK_URL: z
    .string()
    .url()
    .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL')
    .optional(),
  /** The body sent: Belofte's own JSON, a Microsoft Teams card, or a Slack/Mattermost message. */
  ALERT_WEBHOOK_FORMAT: z.enum(['belofte', 'teams', 'slack', 'mattermost']).default('belofte'),
  /** Language of the alert texts sent to the webhook. */
  ALERT_LANGUAGE: z.enum(['nl', 'en']).default('nl'),
  /** The wallboard's address as people open it; alerts link to it. */
  BELOFTE_PUBLIC_URL: z.string().url().optional(),
}).superRefine((c, ctx) => {
  // One token, one role: otherwise who is asking would depend on the order of the checks.
  const seen = new Map<string, string>();
  for (const v of ['WALLBOARD_TOKENS', 'SUPERVISOR_TOKENS', 'MANAGER_TOKENS', 'AGENT_TOKENS'] as const) {
    c[v].forEach((e, i) => {
      const first = seen.get(e.token);
      if (first) ctx.addIssue({ code: 'custom', path: [v], message: `entry ${i + 1} repeats a token already given in ${first}; give every role and person its own token` });
      else seen.set(e.token, v);
    });
  }
  const agents = new Set<string>();
  for (const e of c.AGENT_TOKENS) {
    if (agents.has(e.name!)) ctx.addIssue({ code: 'custom', path: ['AGENT_TOKENS'], message: `agent ${JSON.stringify(e.name)} has more than one token` });
    agents.add(e.name!);
  }
}).transform((c, ctx) => {
  // Read once here, like every other variable: a bad rule stops the start with the line named.
  let alertRules: AlertRule[] = [];
  let text = c.ALERT_RULES;
  try {
    if (text !== undefined && /^[/.]/.test(text.trim())) {
      try {
        text = readFileSync(text.trim(), 'utf8');
      } catch (e) {
        throw new Error(`cannot read the rules file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a readable path or the rules themselves`);
      }
    }
    alertRules = parseRules(text, { guaranteeSeconds: c.GUARANTEE_SECONDS, serviceLevelTarget: c.SERVICE_LEVEL_TARGET });
  } catch (e) {
    ctx.addIssue({ code: 'custom', path: ['ALERT_RULES'], message: (e as Error).message });
  }
  return { ...c, alertRules };
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
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      // Never echo a secret into a log: name the variable, not its value.
      const shown = /(_TOKENS|SECRET|WEBHOOK_URL)$/.test(name) ? '(hidden)' : JSON.stringify(cleaned[name] ?? '');
      return `  ${i.path.join('.')}=${shown}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** For a process's main(): the configuration, or exit 2 with the message naming what is wrong. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
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

/** Which targets, name and place on the board each queue has. */
export function queueSettingsOf(c: Config): QueueSettings {
  return new QueueSettings(c.BELOFTE_QUEUES, thresholdsOf(c));
}

/** What the rollups of a site are counted with: its thresholds, per-queue targets and time zone. */
export function rollupRulesOf(c: Config, site = c.BELOFTE_SITE): RollupRules {
  const settings = queueSettingsOf(c);
  return rollupRules(thresholdsOf(c), c.BELOFTE_TIMEZONE, new Map(settings.listed(site).map((q) => [q, settings.thresholds(q, site)])));
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
