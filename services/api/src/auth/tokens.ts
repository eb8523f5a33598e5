/**
 * Who is asking, from a bearer token, and whether they may.
 *
 * Four roles (tokens from the environment, see shared/config.ts):
 *   wallboard  the live figures (/api/live, /api/history, /ws, /api/alerts), the callback list with numbers masked
 *   supervisor the live figures, and the callback list with full numbers, marking who was called back
 *   agent      only that agent's own figures (/api/agents/<own id>, /ws?agent=<own id>)
 *   manager    everything: statistics, breaches and their follow-up, any agent, the live figures
 *
 * - Missing or unknown token → 401; a known token of the wrong role, or another agent's → 403.
 * - No WALLBOARD_TOKENS configured → the live figures are open (a TV needs no token), as before
 *   tokens existed. Reports and breaches with no MANAGER_TOKENS, and agent views with neither
 *   AGENT_TOKENS nor MANAGER_TOKENS, are refused (403 not_configured) with how to configure them.
 *
 * Tokens are compared as SHA-256 digests: the lookup never compares secret bytes one by one.
 */
import { createHash } from 'node:crypto';
import type { Config } from '@belofte/shared/config';

export type Principal =
  | { role: 'wallboard'; name: string }
  | { role: 'supervisor'; name: string }
  | { role: 'manager'; name: string }
  | { role: 'agent'; name: string; agent: string };

/** What an endpoint needs. */
export type Need = { kind: 'public' } | { kind: 'wallboard' } | { kind: 'supervisor' } | { kind: 'manager' } | { kind: 'agent'; agent: string };

export type Decision =
  | { ok: true; principal: Principal | null }
  | { ok: false; status: 401 | 403; error: 'unauthorized' | 'forbidden' | 'not_configured'; message: string };

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

const HOW = 'Tokens are set in the environment of the API: WALLBOARD_TOKENS, SUPERVISOR_TOKENS and MANAGER_TOKENS (comma-separated, each optionally name=token), AGENT_TOKENS (comma-separated <agent id>=<token>); then restart the API.';

export class Authority {
  private readonly byDigest = new Map<string, Principal>();
  readonly wallboardOpen: boolean;
  private readonly managersConfigured: boolean;
  private readonly agentsConfigured: boolean;
  private readonly supervisorsConfigured: boolean;

  constructor(config: Pick<Config, 'WALLBOARD_TOKENS' | 'SUPERVISOR_TOKENS' | 'MANAGER_TOKENS' | 'AGENT_TOKENS'>) {
    for (const e of config.WALLBOARD_TOKENS) this.byDigest.set(digest(e.token), { role: 'wallboard', name: e.name ?? `wallboard#${digest(e.token).slice(0, 8)}` });
    for (const e of config.SUPERVISOR_TOKENS) this.byDigest.set(digest(e.token), { role: 'supervisor', name: e.name ?? `supervisor#${digest(e.token).slice(0, 8)}` });
    for (const e of config.MANAGER_TOKENS) this.byDigest.set(digest(e.token), { role: 'manager', name: e.name ?? `manager#${digest(e.token).slice(0, 8)}` });
    for (const e of config.AGENT_TOKENS) this.byDigest.set(digest(e.token), { role: 'agent', name: e.name!, agent: e.name! });
    this.wallboardOpen = config.WALLBOARD_TOKENS.length === 0;
    this.managersConfigured = config.MANAGER_TOKENS.length > 0;
    this.agentsConfigured = config.AGENT_TOKENS.length > 0 || this.managersConfigured;
    this.supervisorsConfigured = config.SUPERVISOR_TOKENS.length > 0 || this.managersConfigured;
  }

  /** The principal of a token, or null when it is not one of ours. */
  identify(token: string | null | undefined): Principal | null {
    if (!token) return null;
    return this.byDigest.get(digest(token)) ?? null;
  }

  decide(token: string | null | undefined, need: Need): Decision {
    if (need.kind === 'public') return { ok: true, principal: this.identify(token) };
    if (need.kind === 'wallboard' && this.wallboardOpen) return { ok: true, principal: this.identify(token) };
    if (need.kind === 'manager' && !this.managersConfigured) {
      return { ok: false, status: 403, error: 'not_configured', message: `Reports and the breach register need a manager token, and none is configured. Set MANAGER_TOKENS. ${HOW}` };
    }
    if (need.kind === 'supervisor' && !this.supervisorsConfigured) {
      return { ok: false, status: 403, error: 'not_configured', message: `Marking callers as called back needs a supervisor or manager token, and none is configured. Set SUPERVISOR_TOKENS (or MANAGER_TOKENS). ${HOW}` };
    }
    if (need.kind === 'agent' && !this.agentsConfigured) {
      return { ok: false, status: 403, error: 'not_configured', message: `Agent views need a token, and none is configured. Set AGENT_TOKENS (or MANAGER_TOKENS). ${HOW}` };
    }
    if (!token) {
      return {
        ok: false,
        status: 401,
        error: 'unauthorized',
        message: 'This needs a token: send the header "Authorization: Bearer <token>" (pages: add ?token=<token> to their address).',
      };
    }
    const p = this.identify(token);
    if (!p) return { ok: false, status: 401, error: 'unauthorized', message: 'The token is not recognised. Check it against the API\'s WALLBOARD_TOKENS, SUPERVISOR_TOKENS, MANAGER_TOKENS or AGENT_TOKENS.' };
    if (p.role === 'manager') return { ok: true, principal: p };
    if (need.kind === 'wallboard' && (p.role === 'wallboard' || p.role === 'supervisor')) return { ok: true, principal: p };
    if (need.kind === 'supervisor' && p.role === 'supervisor') return { ok: true, principal: p };
    if (need.kind === 'agent' && p.role === 'agent' && p.agent === need.agent) return { ok: true, principal: p };
    const what =
      need.kind === 'wallboard' ? 'the live figures (wallboard, supervisor or manager token)'
      : need.kind === 'supervisor' ? 'the callback list\'s changes (supervisor or manager token)'
      : need.kind === 'manager' ? 'reports and breaches (manager token)'
      : `agent ${JSON.stringify(need.agent)}'s figures (that agent's or a manager token)`;
    const who = p.role === 'agent' ? `the token of agent ${JSON.stringify(p.agent)}, which shows only that agent's own figures` : `a ${p.role} token`;
    return { ok: false, status: 403, error: 'forbidden', message: `This is ${who}; it does not give access to ${what}.` };
  }
}

/** The token of `Authorization: Bearer <token>`, or null. */
export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}
