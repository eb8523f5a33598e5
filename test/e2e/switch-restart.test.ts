/**
 * The phone switch restarts: its AMI port goes away and comes back empty. The collector
 * reconnects with backoff, resynchronises, and counts the new switch's calls on top of the
 * old ones — nothing twice, nothing lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@belofte/simulator';
import { startLivePath, until, type LivePath, untilQueuesEqual } from '../support/stack.ts';
import type { TruthQueue } from '@belofte/simulator/truth';

let path: LivePath | undefined;
let second: Simulator | undefined;
afterEach(async () => {
  await second?.close();
  await path?.stop();
  path = undefined;
  second = undefined;
});

const SHORT = {
  startOnLogin: true,
  calls: [
    { at: 0, queue: 'support', ring: 2, talk: 10 },
    { at: 2, queue: 'vergunningen', ring: 3, talk: 8 },
    { at: 3, queue: 'support', ring: 99, patience: 6 },
  ],
};

const NONE: TruthQueue = { offered: 0, answered: 0, abandoned: 0, answeredWithin20: 0, timedOut: 0, movedOut: 0, guaranteeBreaches: 0, overTransferLimit: 0 };

function sum(a: Record<string, TruthQueue>, b: Record<string, TruthQueue>): Record<string, TruthQueue> {
  const out: Record<string, TruthQueue> = {};
  for (const q of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = a[q] ?? NONE;
    const y = b[q] ?? NONE;
    out[q] = Object.fromEntries((Object.keys(NONE) as (keyof TruthQueue)[]).map((k) => [k, x[k] + y[k]])) as Record<keyof TruthQueue, number>;
  }
  return out;
}

describe('the switch restarts', () => {
  it('reconnects, resyncs and counts the new calls on top of the old', async () => {
    path = await startLivePath({ name: 'switch-restart', scenario: SHORT, speed: 20 });
    await path.sim.done;
    const before = path.sim.truth().queues;
    const port = path.sim.port;
    // A restarted Asterisk's clock goes on from where it was (its Uniqueids are epoch.counter,
    // the counter starting again at 0): the new switch starts after the old one's last event.
    const restartAt = path.sim.now() + 5_000;
    await path.sim.close();
    await until(() => (!path!.collector.client.isConnected ? true : undefined), 5_000, 'the collector to notice');
    second = await startSimulator({ port, speed: 20, scenario: SHORT, username: 'belofte', secret: 'sesame', startAt: restartAt });
    await until(() => (path!.collector.client.isConnected ? true : undefined), 10_000, 'the reconnect');
    expect(path.collector.client.reconnects).toBeGreaterThanOrEqual(1);
    await second.done;
    await untilQueuesEqual(path, sum(before, second.truth().queues), { what: 'old and new calls counted once', connected: true });
  }, 60_000);
});
