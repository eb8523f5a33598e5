/**
 * A scripted quarter of an hour that touches every path: answers, a ring-no-answer, an
 * abandon, a queue timeout, blind and attended transfers, a call passed on three times,
 * a caller kept waiting past the guarantee, and a long talk that spans a connection drop.
 */
import type { Scenario } from '@belofte/simulator';

export const SCENARIO: Scenario = {
  description: 'e2e: every outcome once',
  startOnLogin: true,
  calls: [
    { at: 0, queue: 'support', ring: 2, talk: 20 },
    { at: 1, queue: 'vergunningen', ring: 3, talk: 30 },
    { at: 2, queue: 'support', ring: 99, patience: 8 },
    { at: 4, queue: 'support', ring: 99, timeout: 10 },
    { at: 5, queue: 'support', ring: 2, talk: 10, transfers: [{ kind: 'blind', to: 'vergunningen', after: 3 }] },
    { at: 8, queue: 'vergunningen', ring: 2, talk: 15, transfers: [{ kind: 'attended', to: 'support' }] },
    { at: 12, queue: 'support', ring: 99, patience: 330 },
    { at: 20, queue: 'vergunningen', ring: 1, talk: 6, transfers: ['support', 'vergunningen', 'support'] },
    { at: 40, queue: 'support', ring: 2, talk: 200 },
    { at: 45, queue: 'support', ringByAgent: { agent1: 99 }, ring: 2, talk: 5 },
  ],
  actions: [{ at: 30, agent: 'agent5', pause: true, reason: 'koffie' }, { at: 90, agent: 'agent5', pause: false }],
};

/** When the connection drop of the reconnect test happens: only a wait and a talk are going on. */
export const DROP_AT_SECONDS = 120;
