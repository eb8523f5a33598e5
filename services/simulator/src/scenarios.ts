/**
 * Scripted scenarios shared by the simulator's tests (and usable by end-to-end tests):
 * every kind of queue visit Belofte must count, on the captures' switch layout.
 */
import type { Scenario } from './traffic.ts';

/** The queues of the lab that made the captures in test/fixtures/ami. */
export const CAPTURE_QUEUES: Record<string, string[]> = {
  support: ['agent1', 'agent2'],
  vergunningen: ['agent3', 'agent4'],
};

/**
 * One of everything, on CAPTURE_QUEUES. Expected per call (see truth.test.ts):
 *  0 support: agent1 lets it ring out (AgentRingNoAnswer), agent2 answers after the retry.
 *  1 vergunningen: attended transfer to support, completed.
 *  2 vergunningen: blind transfer to support.
 *  3 support: every agent lets it ring; the caller gives up (abandon).
 *  4 vergunningen: every agent lets it ring; the queue times it out (timeout, then dialplan).
 *  5 support: answered; the caller ends the conversation (Reason caller).
 *  6 vergunningen: attended transfer; the caller hangs up during the consultation, so the
 *    consult leg is abandoned in support and there is no transfer.
 * Members: agent4 pauses for coffee; agent3 helps support for a while (dynamic member);
 * agent2's phone drops off for a moment.
 */
export const EDGE_SCENARIO: Scenario = {
  description: 'Every essential event: ring-no-answer, attended and blind transfer, abandon, timeout, caller hangup, pause, dynamic member',
  transferAfterSeconds: 3,
  consultSeconds: 3,
  calls: [
    { at: 0, queue: 'support', ring: 1, talk: 20, ringByAgent: { agent1: 99 } },
    { at: 1, queue: 'vergunningen', ring: 1, talk: 8, transfers: [{ to: 'support', kind: 'attended', consult: 2 }] },
    { at: 2, queue: 'vergunningen', ring: 1, talk: 8, transfers: [{ to: 'support', kind: 'blind', after: 2 }] },
    { at: 3, queue: 'support', ring: 30, patience: 12 },
    { at: 4, queue: 'vergunningen', ring: 30, timeout: 8 },
    { at: 40, queue: 'support', ring: 1, talk: 4, hangupBy: 'caller' },
    { at: 42, queue: 'vergunningen', ring: 1, ringByAgent: { agent1: 99, agent2: 99 }, talk: 20, patience: 10, transfers: [{ to: 'support', kind: 'attended', after: 3, consult: 10 }] },
  ],
  actions: [
    { at: 60, agent: 'agent4', pause: true, reason: 'koffie' },
    { at: 62, agent: 'agent3', queue: 'support', member: 'add' },
    { at: 66, agent: 'agent4', pause: false },
    { at: 68, agent: 'agent3', queue: 'support', member: 'remove' },
    { at: 70, agent: 'agent2', available: false },
    { at: 72, agent: 'agent2', available: true },
  ],
};
