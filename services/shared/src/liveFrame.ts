/**
 * The wallboard's WebSocket frames (`/ws`). The first frame after connecting is the full
 * `/api/live` document; later frames leave out `agents` and carry `agentChanges` instead: only
 * the agent tiles that changed since the frame before (an agent that is gone: null). At 600
 * agents a full document is ~200 KB, a steady frame a few KB. Applying the frames in order to
 * the first one gives exactly the document `/api/live` would give at that moment.
 */
import type { AgentView, LiveSnapshot } from './figures.ts';

export interface LiveDelta extends Omit<LiveSnapshot, 'agents'> {
  agentChanges: Record<string, AgentView | null>;
}

export type LiveFrame = LiveSnapshot | LiveDelta;

export const isDelta = (f: LiveFrame): f is LiveDelta => !('agents' in f) && 'agentChanges' in f;

/** The document after this frame; null for a delta with nothing to apply it to (wait for the next full frame). */
export function applyLiveFrame(before: LiveSnapshot | null, frame: LiveFrame): LiveSnapshot | null {
  if (!isDelta(frame)) return frame;
  if (!before) return null;
  const agents = { ...before.agents };
  for (const [name, view] of Object.entries(frame.agentChanges)) {
    if (view === null) delete agents[name];
    else agents[name] = view;
  }
  const { agentChanges: _changes, ...rest } = frame;
  return { ...rest, agents };
}

/** The agent tiles that differ between two documents' encoded tiles (name → JSON). */
export function agentChanges(before: Map<string, string>, after: Map<string, string>, views: Record<string, AgentView>): Record<string, AgentView | null> {
  const out: Record<string, AgentView | null> = Object.create(null); // agent names are data
  for (const [name, text] of after) if (before.get(name) !== text) out[name] = views[name]!;
  for (const name of before.keys()) if (!after.has(name)) out[name] = null;
  return out;
}
