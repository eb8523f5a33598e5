/**
 * CLI: `tsx services/simulator/src/main.ts --port 5038 --speed 10 --seed 7`
 * Starts the simulator and logs one JSON line saying where it listens.
 *
 * Options: --host, --port, --speed, --seed, --username, --secret,
 *   --start <ISO date or epoch ms> (simulated clock at start; default now),
 *   --scenario <file.json> (a scripted scenario instead of the endless demo),
 *   --week [YYYY-Www] (a whole week, default the previous ISO week, at --speed 3000 unless given;
 *     the clock waits at Monday 00:00 for the first login and the simulator logs week-done),
 *   --queues "support=agent1,agent2,agent3;vergunningen=agent4,agent5",
 *   --traffic busy|quiet (the endless demo: a busy hour, the default, or about a call a minute)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { WEEK_SPEED, startSimulator, type SimulatorOptions } from './index.ts';
import type { Scenario } from './traffic.ts';

function fail(message: string): never {
  console.error(JSON.stringify({ event: 'error', message }));
  process.exit(2);
}

function parseQueues(spec: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of spec.split(';')) {
    const [name, members] = part.split('=');
    if (!name?.trim() || !members) fail(`bad --queues part: ${part}`);
    out[name.trim()] = members.split(',').map((m) => m.trim()).filter(Boolean);
  }
  return out;
}

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) fail(`--${name} must be a number, got ${value}`);
  return n;
}

// `--week` may stand alone (the previous week): parseArgs wants a value for a string option.
const argv = process.argv.slice(2).map((a, i, all) => (a === '--week' && (i === all.length - 1 || all[i + 1]!.startsWith('--')) ? '--week=previous' : a));

const { values } = parseArgs({
  args: argv,
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    speed: { type: 'string' },
    seed: { type: 'string' },
    username: { type: 'string' },
    secret: { type: 'string' },
    start: { type: 'string' },
    scenario: { type: 'string' },
    queues: { type: 'string' },
    week: { type: 'string' },
    traffic: { type: 'string' },
  },
  strict: true,
});

const options: SimulatorOptions = {};
if (values.host) options.host = values.host;
const port = number(values.port, 'port');
if (port !== undefined) options.port = port;
const speed = number(values.speed, 'speed');
if (speed !== undefined) options.speed = speed;
const seed = number(values.seed, 'seed');
if (seed !== undefined) options.seed = seed;
if (values.username) options.username = values.username;
if (values.secret) options.secret = values.secret;
if (values.start) {
  const t = /^\d+$/.test(values.start) ? Number(values.start) : Date.parse(values.start);
  if (!Number.isFinite(t)) fail(`--start must be an ISO date or epoch ms, got ${values.start}`);
  options.startAt = t;
}
if (values.queues) options.queues = parseQueues(values.queues);
if (values.traffic) {
  if (values.traffic !== 'busy' && values.traffic !== 'quiet') fail(`--traffic must be busy or quiet, got ${values.traffic}`);
  options.traffic = values.traffic;
}
if (values.scenario) options.scenario = JSON.parse(readFileSync(values.scenario, 'utf8')) as Scenario;
if (values.week) {
  if (values.week !== 'previous' && !/^\d{4}-W\d{2}$/.test(values.week)) fail(`--week must be an ISO week such as 2026-W47 (or nothing: the previous week), got ${values.week}`);
  if (values.start) fail('--week starts the clock at its own Monday 00:00: leave out --start');
  options.week = values.week;
}

const sim = await startSimulator(options).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
console.log(
  JSON.stringify({
    event: 'listening',
    service: 'simulator',
    host: options.host ?? '127.0.0.1',
    port: sim.port,
    speed: options.speed ?? 1,
    seed: sim.seed,
    startAt: new Date(sim.now()).toISOString(),
    traffic: options.scenario ? 'scenario' : sim.week ? 'week' : 'demo',
    ...(sim.week ? { week: sim.week.week, speed: options.speed ?? WEEK_SPEED, waitingForLogin: true } : {}),
  }),
);

if (options.scenario) {
  void sim.done.then(() => console.log(JSON.stringify({ event: 'scenario-done', at: new Date(sim.now()).toISOString() })));
}
if (sim.week) {
  const week = sim.week.week;
  void sim.done.then(() => {
    const { calls, queues } = sim.truth();
    const c = sim.counters();
    const breaches = calls.filter((x) => (x.waitSeconds ?? 0) > 300).length;
    const seconds = Math.round(c.playedWallMs / 100) / 10;
    console.log(JSON.stringify({ event: 'week-done', week, calls: calls.length, breaches, queues, seconds, eventsSent: c.eventsSent, eventsPerSecond: Math.round(c.eventsSent / Math.max(0.1, seconds)), backlogHolds: c.backlogHolds, at: new Date(sim.now()).toISOString() }));
  });
}

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
