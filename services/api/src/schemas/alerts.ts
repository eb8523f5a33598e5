/** Alerts: the stored list's parameters, and an alert as served (also in every live frame). */
import { z } from 'zod';
import { RULE_KINDS } from '@belofte/shared/alertRules';
import type { Alert } from '@belofte/shared/alerts';
import { dateOrInstant } from './breaches.ts';
import { instant, inputs, outputs } from './registry.ts';
import { siteParam } from './stats.ts';

export const AlertSchema = z
  .object({
    id: z.string().describe('Stable for the alert\'s life: <fired at, ms>-<rule>-<queue or *>.'),
    rule: z.enum(RULE_KINDS).describe('longWait: a caller has waited `at` (default: a minute before the guarantee breaks); breach: guarantee breaches in the window; serviceLevel: the window\'s service level below target with enough calls; noAgent: callers waiting and nobody logged in and unpaused; disconnected: the collector lost the phone switch; redisDown: Redis unreachable.'),
    queue: z.string().nullable().describe('The queue; null for the whole site.'),
    figure: z.string().describe('The figure watched, as the live document names it.'),
    value: z.number().nullable().describe('The figure when it fired (a fraction for serviceLevel).'),
    threshold: z.number().describe('The rule\'s threshold: seconds (longWait), a count (breach), a fraction (serviceLevel), 0 otherwise.'),
    windowMinutes: z.number().int().nullable().describe('The rolling window of the figure (breach, serviceLevel).'),
    firedAt: instant(),
    clearedAt: instant().nullable().describe('Null while active.'),
    clearedValue: z.number().nullable().describe('The figure when it cleared.'),
    link: z.string().describe('The wallboard (BELOFTE_PUBLIC_URL).'),
  })
  .register(outputs, { id: 'Alert', description: 'One alert: fired once when its condition started, cleared once when it ended.' });

export const AlertsQuery = z
  .object({
    from: dateOrInstant('from').optional().describe('Start: a local date (from its midnight) or an instant. Default: today\'s midnight.'),
    to: dateOrInstant('to').optional(),
    site: siteParam.optional(),
  })
  .strict()
  .register(inputs, { id: 'AlertsQuery' });

export const AlertList = z
  .object({
    from: instant(),
    to: instant(),
    count: z.number().int(),
    alerts: z.array(AlertSchema).describe('Alerts that fired in the period, oldest first, and those still active that fired before it.'),
  })
  .register(outputs, { id: 'AlertList' });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameAlert: Same<z.infer<typeof AlertSchema>, Alert> = true;
void sameAlert;
