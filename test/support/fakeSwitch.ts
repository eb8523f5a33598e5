/** A minimal AMI server for tests that need to send exactly the bytes they choose. */
import net from 'node:net';

export interface FakeSwitch {
  port: number;
  /** Resolves once a client has logged in. */
  loggedIn: Promise<void>;
  send(bytes: string): void;
  /** Every action received, by name, in order. */
  actions: string[];
  close(): Promise<void>;
}

function fields(frame: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of frame.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

export async function fakeSwitch(): Promise<FakeSwitch> {
  const sockets = new Set<net.Socket>();
  const actions: string[] = [];
  let resolveLogin!: () => void;
  const loggedIn = new Promise<void>((r) => (resolveLogin = r));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('Asterisk Call Manager/11.0.0\r\n');
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      let end;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const f = fields(buf.slice(0, end));
        buf = buf.slice(end + 4);
        const id = f.actionid ? `ActionID: ${f.actionid}\r\n` : '';
        actions.push(f.action ?? '');
        switch ((f.action ?? '').toLowerCase()) {
          case 'login':
            socket.write(`Response: Success\r\n${id}Message: Authentication accepted\r\n\r\n`);
            resolveLogin();
            break;
          case 'ping':
            socket.write(`Response: Success\r\n${id}Ping: Pong\r\nTimestamp: ${(Date.now() / 1000).toFixed(6)}\r\n\r\n`);
            break;
          case 'queuestatus':
            socket.write(`Response: Success\r\n${id}EventList: start\r\nMessage: Queue status will follow\r\n\r\nEvent: QueueStatusComplete\r\n${id}EventList: Complete\r\nListItems: 0\r\n\r\n`);
            break;
          case 'coreshowchannels':
            socket.write(`Response: Success\r\n${id}EventList: start\r\nMessage: Channels will follow\r\n\r\nEvent: CoreShowChannelsComplete\r\n${id}EventList: Complete\r\nListItems: 0\r\n\r\n`);
            break;
          default:
            socket.write(`Response: Error\r\n${id}Message: Invalid/unknown command\r\n\r\n`);
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    loggedIn,
    actions,
    send(bytes) {
      for (const s of sockets) s.write(bytes);
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** An AMI event frame from header pairs, CRLF-terminated like Asterisk's. */
export function frame(pairs: Record<string, string | number>): string {
  return Object.entries(pairs).map(([k, v]) => `${k}: ${v}`).join('\r\n') + '\r\n\r\n';
}
