/**
 * What a process says when it cannot start or loses Redis: one line a newcomer can act on,
 * never a stack trace, and not ninety of them while Redis is away.
 */
import type { Logger } from 'pino';

/**
 * For an error from `listen()`: a one-line explanation naming the variable that chose the port
 * (`PORT=8080 is in use …`), or null when the error is something else.
 */
export function listenProblem(err: unknown, variable: string, port: number): string | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') return `${variable}=${port}: port ${port} is already in use by another program; stop that program or set ${variable} to a free port (0 = any free port)`;
  if (code === 'EACCES') return `${variable}=${port}: this user may not listen on port ${port} (below 1024 needs privileges); set ${variable} to a port above 1023`;
  if (code === 'EADDRNOTAVAIL') return `${variable}=${port}: the address to listen on does not exist on this machine; check HOST`;
  return null;
}

/** Runs `listen`; a port problem ends the process with its one line on stderr (exit 1), anything else is rethrown. */
export async function listenOrExit<T>(listen: () => Promise<T>, variable: string, port: number): Promise<T> {
  try {
    return await listen();
  } catch (e) {
    const problem = listenProblem(e, variable, port);
    if (problem === null) throw e;
    console.error(problem);
    process.exit(1);
  }
}

interface ErrorEmitter {
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
}

/**
 * Logs a Redis connection's errors: the first at once, then at most one line per `everyMs`
 * with how many were left out, and one line when it answers again. ioredis reports every
 * reconnect attempt, which is dozens of lines a minute during an outage.
 */
export function logRedisErrors(redis: ErrorEmitter, log: Logger, fields: Record<string, unknown> = {}, everyMs = 10_000): void {
  let lastAt = -Infinity;
  let suppressed = 0;
  let down = false;
  redis.on('error', (err) => {
    down = true;
    const now = Date.now();
    if (now - lastAt < everyMs) {
      suppressed++;
      return;
    }
    log.warn({ ...fields, err: err.message, ...(suppressed > 0 ? { similarErrorsLeftOut: suppressed } : {}) }, `Redis connection error (repeats are logged at most every ${Math.round(everyMs / 1000)} s)`);
    lastAt = now;
    suppressed = 0;
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({ ...fields, ...(suppressed > 0 ? { similarErrorsLeftOut: suppressed } : {}) }, 'Redis answers again');
    lastAt = -Infinity;
    suppressed = 0;
  });
}
