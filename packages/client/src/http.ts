import { fileIdOfUrl, type Session, type UploadedFile, type User } from '@im/protocol';
import { ImError } from './errors.js';

export interface RegisterRequest {
  username: string;
  password: string;
  nickname?: string;
  phone?: string;
  email?: string;
}

export interface LoginRequest {
  username?: string;
  phone?: string;
  email?: string;
  password: string;
  device_id?: string;
  platform?: 'ios' | 'android' | 'web' | 'desktop' | 'other';
}

/** The gateway's HTTP API. */
export class ImHttp {
  constructor(readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(this.baseUrl + path, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
    return this.answer<T>(res);
  }

  private async answer<T>(res: Response): Promise<T> {
    if (res.status === 204) return undefined as T;
    const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; field?: string } };
    if (!res.ok) {
      const retryAfter = res.headers.get('retry-after');
      throw new ImError(
        (json.error ?? { code: 'internal', message: `HTTP ${res.status}` }) as ConstructorParameters<typeof ImError>[0],
        res.status,
        retryAfter === null ? undefined : Number(retryAfter),
      );
    }
    return json as T;
  }

  register(body: RegisterRequest): Promise<{ user: User }> {
    return this.call('POST', '/api/register', body);
  }

  login(body: LoginRequest): Promise<Session> {
    return this.call('POST', '/api/login', body);
  }

  /** Asks for a 6-digit login code to be mailed to an address. */
  requestCode(email: string): Promise<void> {
    return this.call('POST', '/api/auth/code', { email });
  }

  /** Logs in (or signs up) with a mailed code. */
  loginWithCode(body: { email: string; code: string; device_id?: string; platform?: LoginRequest['platform'] }): Promise<Session> {
    return this.call('POST', '/api/login/code', body);
  }

  refresh(refreshToken: string): Promise<Session> {
    return this.call('POST', '/api/refresh', { refresh_token: refreshToken });
  }

  logout(token: string): Promise<void> {
    return this.call('POST', '/api/logout', undefined, token);
  }

  stats(): Promise<{ online_users: number; connections: number; gateways: number }> {
    return this.call('GET', '/api/stats');
  }

  /**
   * Uploads a file (POST /api/files): the body is streamed as given (a Buffer, a Blob, a
   * Node stream or a web ReadableStream). Resolves with its id and URL; fails with an
   * ImError (`too_large` past the size limit, `rate_limited` past the daily quota).
   */
  async uploadFile(token: string, body: Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, options: { name: string; mime?: string }): Promise<UploadedFile> {
    const url = new URL('/api/files', this.baseUrl);
    url.searchParams.set('name', options.name);
    const streamed = !(body instanceof Uint8Array) && !(typeof Blob !== 'undefined' && body instanceof Blob);
    const init: RequestInit & { duplex?: 'half' } = {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': options.mime ?? 'application/octet-stream' },
      body: body as NonNullable<RequestInit['body']>,
    };
    if (streamed) init.duplex = 'half';
    const res = await fetch(url, init);
    return this.answer<UploadedFile>(res);
  }

  /**
   * Downloads a file of this cluster (its URL as uploadFile returned it, whichever gateway's
   * host it names) with the caller's token. The request goes to this gateway, never to the
   * host in the URL: a file event's URL is the sender's to write, and a token sent where it
   * points could be taken. A URL that names no file of the cluster (a link to a file kept
   * elsewhere: fetch it without the token) fails with `bad_request` and sends nothing.
   */
  async downloadFile(token: string, url: string, options: { range?: string } = {}): Promise<Response> {
    const id = fileIdOfUrl(url);
    if (id === undefined) throw new ImError({ code: 'bad_request', message: 'not the URL of a file of this cluster', field: 'url' });
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (options.range) headers.range = options.range;
    return fetch(new URL(`/api/files/${id}`, this.baseUrl), { headers });
  }

  /** The WebSocket URL for this gateway. */
  wsUrl(token?: string): string {
    const url = new URL('/ws', this.baseUrl.replace(/^http/, 'ws'));
    if (token) url.searchParams.set('token', token);
    return url.toString();
  }
}
