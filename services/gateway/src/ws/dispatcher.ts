import { decodeClientFrame, encode } from '@im/codec';
import { AppError, CloseCode, parse, toErrorBody, type ErrorBody } from '@im/protocol';
import { errorFields, prom, type Registry } from '@im/kit';
import type { Connection } from './connection.js';
import type { GatewayDeps, Handler } from './handler.js';

export interface DispatcherOptions {
  maxFrameBytes: number;
  registry: Registry;
}

/**
 * Turns one incoming message into one handler call and at most one reply: decode once,
 * check the envelope, look the command up, validate its data, run, answer.
 */
export class Dispatcher {
  private readonly duration: prom.Histogram<'cmd' | 'outcome'>;
  private readonly badFrames: prom.Counter;
  /** Requests started and not yet answered: a draining gateway waits for them. */
  inFlight = 0;
  /** Set while the gateway shuts down: new commands are refused as `unavailable`. */
  draining = false;

  constructor(
    private readonly handlers: ReadonlyMap<string, Handler>,
    private readonly deps: GatewayDeps,
    private readonly options: DispatcherOptions,
  ) {
    this.duration = new prom.Histogram({
      name: 'gateway_command_duration_seconds',
      help: 'Time from a decoded frame to its reply',
      labelNames: ['cmd', 'outcome'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers: [options.registry],
    });
    this.badFrames = new prom.Counter({ name: 'gateway_bad_frames_total', help: 'Frames refused as bad_frame', registers: [options.registry] });
  }

  async dispatch(conn: Connection, bytes: Buffer, now: number): Promise<void> {
    const decoded = decodeClientFrame(bytes, { maxFrameBytes: this.options.maxFrameBytes });
    if (!decoded.ok) {
      this.badFrames.inc();
      this.reply(conn, decoded.id, { code: 'bad_frame', message: decoded.message });
      if (conn.badFrame(now)) conn.close(CloseCode.POLICY, 'too many bad frames');
      return;
    }
    const { cmd, id, data } = decoded.frame;
    const handler = this.handlers.get(cmd);
    if (!handler) {
      this.reply(conn, id, { code: 'bad_request', message: `unknown command "${cmd.slice(0, 64)}"`, field: 'cmd' });
      return;
    }
    if (this.draining) {
      this.reply(conn, id, { code: 'unavailable', message: 'gateway is shutting down; reconnect' });
      return;
    }
    if (cmd !== 'event' && !conn.allowCommand(handler.cost, now)) {
      this.reply(conn, id, { code: 'rate_limited', message: 'too many commands; slow down' });
      return;
    }
    if (!conn.begin()) {
      this.reply(conn, id, { code: 'rate_limited', message: 'too many requests under way on this socket' });
      return;
    }
    const stop = this.duration.startTimer({ cmd: handler.name });
    this.inFlight++;
    try {
      const input = parse(handler.schema, data, 'data');
      const reply = await handler.run({ conn, deps: this.deps }, input);
      stop({ outcome: 'ok' });
      // A frame without id hears nothing on success, except ping which is always answered.
      if (id !== undefined || reply.cmd === 'pong') conn.send(encode(id === undefined ? { cmd: reply.cmd, data: reply.data } : { cmd: reply.cmd, id, data: reply.data }));
    } catch (err) {
      stop({ outcome: err instanceof AppError ? err.code : 'internal' });
      if (!(err instanceof AppError)) this.deps.logger.error('command failed', { cmd, user_id: conn.userId, ...errorFields(err) });
      this.reply(conn, id, toErrorBody(err));
    } finally {
      this.inFlight--;
      conn.end();
    }
  }

  private reply(conn: Connection, id: number | undefined, error: ErrorBody): void {
    conn.send(encode(id === undefined ? { cmd: 'error', data: error } : { cmd: 'error', id, data: error }));
  }
}
