/**
 * The staffing advice held against the switch: over a grid of loads the simulator plays the
 * queue with the number of agents Erlang A advises, and with one fewer, and the service level
 * it achieves (Belofte's definition: answered within 20 s ÷ answered + abandoned) should meet
 * 80 % with the advice and miss it without the last agent — in most cells, not all: a played
 * queue is a finite sample, and the switch is not quite the model (see the notes below).
 */
import { describe, expect, it } from 'vitest';
import { agentsNeeded, erlangA } from '@belofte/shared/staffing/erlang';
import { startSimulator, type FixedLoad, type TruthCall } from './index.ts';

const TARGET_SECONDS = 20;
const SERVICE_LEVEL_TARGET = 0.8;
/** Callers per cell and agent count: enough that a cell's service level is within a few points. */
const CALLS_PER_RUN = 6_000;

interface Cell {
  arrivalsPerHour: number;
  handleSeconds: number;
  patienceSeconds: number;
  wrapupSeconds?: number;
}

const GRID: Cell[] = [];
for (const arrivalsPerHour of [30, 120, 360]) {
  for (const handleSeconds of [120, 300]) {
    for (const patienceSeconds of [60, 300]) GRID.push({ arrivalsPerHour, handleSeconds, patienceSeconds });
  }
}
// The simulator's 10-second wrap-up is fixed, not exponential: one cell with it.
GRID.push({ arrivalsPerHour: 120, handleSeconds: 190, patienceSeconds: 120, wrapupSeconds: 10 });

/** What the switch achieved: Belofte's service level over every call that ended. */
function serviceLevel(calls: TruthCall[]): number {
  const ended = calls.filter((c) => c.outcome !== 'unknown');
  const inTime = ended.filter((c) => c.outcome === 'answered' && c.firstHoldtime! <= TARGET_SECONDS).length;
  return inTime / ended.length;
}

async function play(cell: Cell, agents: number, seed: number): Promise<number> {
  const load: FixedLoad = { ...cell, agents, hours: CALLS_PER_RUN / cell.arrivalsPerHour };
  const sim = await startSimulator({ port: 0, speed: 1e9, seed, startAt: Date.parse('2026-11-16T08:00:00Z'), load });
  try {
    await sim.done;
    return serviceLevel(sim.truth().calls);
  } finally {
    await sim.close();
  }
}

describe('staffing advice against the simulator', () => {
  it('a fixed load plays as many callers as its rate says, each with its patience and handle time', async () => {
    const load: FixedLoad = { arrivalsPerHour: 600, handleSeconds: 60, patienceSeconds: 30, agents: 3, hours: 2 };
    const sim = await startSimulator({ port: 0, speed: 1e9, seed: 5, load });
    await sim.done;
    const { calls, queues } = sim.truth();
    await sim.close();
    expect(calls.length).toBeGreaterThan(1_100);
    expect(calls.length).toBeLessThan(1_300);
    expect(queues.support!.answered + queues.support!.abandoned).toBe(calls.length);
    // Overloaded (10 erlangs on 3 agents) with impatient callers: many give up, as Erlang A says.
    const model = erlangA({ arrivalsPerSecond: 600 / 3600, handleSeconds: 60, patienceSeconds: 30 }, 3, TARGET_SECONDS);
    expect(queues.support!.abandoned / calls.length).toBeCloseTo(model.abandonProbability, 1);
    expect(new Set(calls.map((c) => c.agent).filter(Boolean))).toEqual(new Set(['agent1', 'agent2', 'agent3']));
  });

  it('the advised agents meet 80 % in 20 s and one fewer does not, in most cells of the grid', async () => {
    const rows: string[] = [];
    const misses: number[] = [];
    let agree = 0;
    for (const [i, cell] of GRID.entries()) {
      const load = { arrivalsPerSecond: cell.arrivalsPerHour / 3600, handleSeconds: cell.handleSeconds, patienceSeconds: cell.patienceSeconds };
      const advised = agentsNeeded(load, TARGET_SECONDS, SERVICE_LEVEL_TARGET).agents!;
      const withAdvice = await play(cell, advised, 100 + i);
      const oneFewer = advised > 1 ? await play(cell, advised - 1, 100 + i) : 0;
      const ok = withAdvice >= SERVICE_LEVEL_TARGET && oneFewer < SERVICE_LEVEL_TARGET;
      if (ok) agree++;
      const model = (n: number) => erlangA(load, n, TARGET_SECONDS).serviceLevel;
      misses.push(Math.abs(withAdvice - model(advised)), Math.abs(oneFewer - model(advised - 1)));
      rows.push(
        `${ok ? 'agrees ' : 'DIFFERS'} ${cell.arrivalsPerHour}/h handle ${cell.handleSeconds}s patience ${cell.patienceSeconds}s` +
          `${cell.wrapupSeconds ? ` (wrap-up ${cell.wrapupSeconds}s)` : ''}: advice ${advised}` +
          ` → played ${pct(withAdvice)} (model ${pct(model(advised))}), ${advised - 1} → played ${pct(oneFewer)} (model ${pct(model(advised - 1))})`,
      );
    }
    const mean = misses.reduce((a, b) => a + b, 0) / misses.length;
    console.log(`staffing grid: ${agree} of ${GRID.length} cells agree; played vs model: mean ${pct(mean)}, max ${pct(Math.max(...misses))}\n${rows.join('\n')}`);
    // Most cells agree. The others are cells where the model puts the advice within a point or
    // two of 80 % (the played queue lands on either side of it), or big queues where one agent is
    // worth only 3-4 points, no more than a played sample of a busy queue wanders from its mean.
    expect(agree).toBeGreaterThanOrEqual(Math.ceil(GRID.length * 0.6));
    // And the model tracks what the switch does: within 6 points in every run, 2.5 on average.
    expect(Math.max(...misses)).toBeLessThan(0.06);
    expect(mean).toBeLessThan(0.025);
    // Pure computation, no waiting: 26 runs of 6,000 callers take about 7 s on an idle 2-core
    // machine and several times that while the machine is busy with other work.
  }, 120_000);
});

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
