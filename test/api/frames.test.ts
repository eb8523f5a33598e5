/**
 * Small frames: a wallboard socket gets the full document first, then only the agent tiles
 * that changed; applied in order they give exactly what /api/live gives. An agent's socket
 * gets its view again only when it changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_THRESHOLDS, type LiveSnapshot } from '@belofte/shared/figures';
import { Keys } from '@belofte/shared/keys';
import { applyLiveFrame, type LiveFrame } from '@belofte/shared/liveFrame';
import { newAgent } from '@belofte/collector/domain/agents';
import type { AgentState } from '@belofte/collector/domain/types';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { buildCall } from '../stats/simulatedWeek.ts';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, dayTimeZone, testConfig, until, type RunningApi } from '../support/stack.ts';

const prefix = testPrefix('frames');
const redis = connect();
const keys = new Keys(prefix, 'main');
// The writer books rollups by the same local day as the API, whatever the hour the test runs at.
const TZ = dayTimeZone();
const writer = new RedisWriter(redis, { keys, retentionDays: 1, maxBuffered: 10_000, rollups: { thresholds: DEFAULT_THRESHOLDS, timeZone: TZ } });
const MANAGER = 'manager-token-frames-0001';
let api: RunningApi;

const agent = (i: number, state: AgentState['state']): AgentState => ({ ...newAgent(`agent${i}`, `Local/${i}@agents/n`, Date.now() - 60_000), state, queues: ['support'] });

beforeAll(async () => {
  for (let i = 0; i < 40; i++) writer.enqueue([{ kind: 'agentChanged', agent: agent(i, 'available') }]);
  await writer.flush();
  // Long heartbeat, no throttle on agent views: every frame below is caused by a change.
  api = await apiFor(testConfig(prefix, { BELOFTE_TIMEZONE: TZ, MANAGER_TOKENS: MANAGER }), 60_000, { agentIntervalMs: 0 });
});

afterAll(async () => {
  await api?.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

function open(path: string): { ws: WebSocket; raw: Array<Record<string, any>> } {
  const ws = new WebSocket(`ws://127.0.0.1:${api.port}${path}`);
  const raw: Array<Record<string, any>> = [];
  ws.on('message', (d) => raw.push(JSON.parse(String(d))));
  return { ws, raw };
}

const withoutAt = (s: LiveSnapshot) => ({ ...s, at: undefined });

describe('/ws frames', () => {
  it('sends the full document first, then only the changed agent tiles, adding up to /api/live', async () => {
    const { ws, raw } = open('/ws');
    await until(() => (raw.length > 0 ? true : undefined), 5_000, 'first frame');
    expect(Object.keys(raw[0]!.agents)).toHaveLength(40);
    expect(raw[0]!.agentChanges).toBeUndefined();

    writer.enqueue([{ kind: 'agentChanged', agent: agent(7, 'oncall') }]);
    await writer.flush();
    const delta = await until(() => raw.find((f) => f.agentChanges && Object.keys(f.agentChanges).length > 0), 5_000, 'a frame with changes');
    expect(delta.agents).toBeUndefined();
    expect(Object.keys(delta.agentChanges)).toEqual(['agent7']);
    expect(delta.agentChanges.agent7.state).toBe('oncall');
    expect(JSON.stringify(delta).length * 5).toBeLessThan(JSON.stringify(raw[0]).length);

    // Every frame applied in order is the document /api/live serves.
    let doc: LiveSnapshot | null = null;
    for (const f of raw) doc = applyLiveFrame(doc, f as LiveFrame);
    const live = (await (await fetch(`${api.url}/api/live`)).json()) as LiveSnapshot;
    expect(withoutAt({ ...doc!, health: live.health })).toEqual(withoutAt(live));
    expect(doc!.agents.agent7!.state).toBe('oncall');

    // A socket that connects now starts from the full document too.
    const late = open('/ws');
    await until(() => (late.raw.length > 0 ? true : undefined), 5_000, 'first frame of a late socket');
    expect(late.raw[0]!.agents.agent7.state).toBe('oncall');
    expect(Object.keys(late.raw[0]!.agents)).toHaveLength(40);
    ws.close();
    late.ws.close();
  });

  it("sends an agent's own view again only when it changed", async () => {
    const { ws, raw } = open(`/ws?agent=agent3&token=${MANAGER}`);
    await until(() => (raw.length > 0 ? true : undefined), 5_000, 'first agent frame');
    expect(raw[0]!.today.answered).toBe(0);
    // Changes of other agents: notices go out, the wallboards' frames change, agent3's view does not.
    const board = open('/ws');
    await until(() => (board.raw.length > 0 ? true : undefined), 5_000, 'board frame');
    for (const i of [1, 2, 4]) {
      writer.enqueue([{ kind: 'agentChanged', agent: agent(i, 'paused') }]);
      await writer.flush();
      await until(() => (board.raw.some((f) => f.agentChanges?.[`agent${i}`]) ? true : undefined), 5_000, `board frame for agent${i}`);
    }
    // Then agent3 answers a call: that view changes and is sent — the only frame after the first.
    const call = buildCall({ id: 'frames-1', at: Date.now() - 120_000, queues: ['support'], waits: [10], last: 'answered', agents: ['agent3'], talks: [30] });
    call.endedAt = Date.now() - 1_000;
    writer.enqueue([{ kind: 'callFinished', call }]);
    await writer.flush();
    await until(() => (raw.some((f) => f.today?.answered === 1) ? true : undefined), 5_000, 'agent3 view with the answer');
    expect(raw).toHaveLength(2);
    ws.close();
    board.ws.close();
  });
});
