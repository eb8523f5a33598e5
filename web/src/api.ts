/**
 * The pages' way to the API: the token from the page's own address (`?token=`), sent as
 * `Authorization: Bearer` on every fetch and as `?token=` on sockets (browsers cannot set
 * headers on a WebSocket). Errors come back as ApiFailure with the server's own message.
 */

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The token of this page's address, or null. */
export function pageToken(search: string = location.search): string | null {
  return new URLSearchParams(search).get('token');
}

export function authHeaders(token: string | null = pageToken()): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function failureOf(res: Response): Promise<ApiFailure> {
  try {
    const body = (await res.json()) as { error?: string; message?: string };
    return new ApiFailure(res.status, body.error ?? 'error', body.message ?? res.statusText);
  } catch {
    return new ApiFailure(res.status, 'error', `${res.status} ${res.statusText}`);
  }
}

/** GET (or another method with a JSON body) and parse the JSON answer; throws ApiFailure. */
export async function apiJson<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    cache: 'no-store',
    headers: { ...authHeaders(), ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok) throw await failureOf(res);
  return (await res.json()) as T;
}

/**
 * Downloads a file that needs the token: fetched with the header, handed to the browser as a
 * blob, so the token never ends up in a link, a history entry or a server log.
 */
export async function downloadWithToken(path: string, fallbackName: string): Promise<void> {
  const res = await fetch(path, { headers: authHeaders(), cache: 'no-store' });
  if (!res.ok) throw await failureOf(res);
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The socket URL for a path, on this page's host, with the token. */
export function socketUrl(path: string, params: Record<string, string> = {}, token: string | null = pageToken()): string {
  const url = new URL(path, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (token) url.searchParams.set('token', token);
  return url.toString();
}
