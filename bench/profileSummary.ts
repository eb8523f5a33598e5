/**
 * `tsx bench/profileSummary.ts <file.cpuprofile> [top]`: where the time went in a V8 CPU
 * profile (from `node --cpu-prof`), as self time per function, highest first.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  fn: string;
  where: string;
  ms: number;
  percent: number;
}

export function summarise(file: string, top = 15): { totalMs: number; rows: SelfTime[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byNode = new Map<number, ProfileNode>();
  for (const n of p.nodes) byNode.set(n.id, n);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const byFn = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const n = byNode.get(id)!;
    const fn = n.callFrame.functionName || '(anonymous)';
    const where = n.callFrame.url ? `${path.basename(n.callFrame.url.replace(/^file:\/\//, ''))}:${n.callFrame.lineNumber + 1}` : '';
    const key = `${fn}@${where}`;
    const e = byFn.get(key) ?? { fn, where, us: 0 };
    e.us += us;
    byFn.set(key, e);
    total += us;
  }
  const rows = [...byFn.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ fn: e.fn, where: e.where, ms: Math.round(e.us / 1000), percent: Math.round((1000 * e.us) / total) / 10 }));
  return { totalMs: Math.round(total / 1000), rows };
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx bench/profileSummary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  const { totalMs, rows } = summarise(file, Number(process.argv[3] ?? 15));
  console.log(`${file}: ${totalMs} ms sampled`);
  for (const r of rows) console.log(`${String(r.percent).padStart(5)}%  ${String(r.ms).padStart(6)} ms  ${r.fn}  ${r.where}`);
}
