/**
 * A farm of wallboards in a process of its own (so their CPU is not the API's):
 * `tsx bench/wsClients.ts <port> <count> [path]`. Opens `count` WebSockets on `path` (default
 * /ws; `{i}` in it becomes the socket's number, 0-padded to 4 digits: one agent each), 50 at a time,
 * counts frames and bytes, and answers `{ cmd: 'stats' }` over IPC. Exits on `{ cmd: 'exit' }`,
 * when the parent goes away, or after 10 minutes whatever happens.
 */
import WebSocket from 'ws';

const port = Number(process.argv[2]);
const count = Number(process.argv[3]);
const pathOf = (i: number) => (process.argv[4] ?? '/ws').replaceAll('{i}', String(i).padStart(4, '0'));
const stats = { open: 0, opened: 0, closed: 0, errors: 0, frames: 0, bytes: 0 };
const sockets: WebSocket[] = [];

function open(i: number): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${pathOf(i)}`);
    sockets.push(ws);
    ws.on('open', () => {
      stats.open++;
      stats.opened++;
      resolve();
    });
    ws.on('message', (data: Buffer) => {
      stats.frames++;
      stats.bytes += data.length;
    });
    ws.on('error', () => {
      stats.errors++;
      resolve();
    });
    ws.on('close', () => {
      stats.closed++;
      if (stats.open > 0) stats.open--;
      resolve();
    });
  });
}

function exit(): void {
  for (const ws of sockets) ws.terminate();
  process.exit(0);
}

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'stats') process.send?.({ ...stats });
  if (m.cmd === 'exit') exit();
});
process.on('disconnect', exit);
setTimeout(exit, 600_000).unref();

for (let i = 0; i < count; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, k) => open(i + k)));
}
process.send?.({ ready: true, ...stats });
