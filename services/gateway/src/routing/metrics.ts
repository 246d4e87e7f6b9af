import { prom, type Registry } from '@im/kit';
import type { Envelope } from './envelope.js';

export type MessageKind = 'delivery' | 'signal' | 'close' | 'route';

export function kindOf(e: Envelope): MessageKind {
  if (e.t === 'd' || e.t === 'D') return 'delivery';
  if (e.t === 's') return 'signal';
  if (e.t === 'c') return 'close';
  return 'route';
}

/**
 * What the router sends other gateways and gets from them, by kind: `delivery` (pushes to
 * users there, several of one moment in one message), `signal` (cluster-wide signals),
 * `close` (a socket past the per-user limit), `route` (a user reachable there or not).
 */
export class RouterMetrics {
  readonly publishes: prom.Counter<'kind'>;
  readonly received: prom.Counter<'kind'>;
  readonly publishFailures: prom.Counter<'kind'>;
  /** Deliveries (one event for users on one other gateway) handed to Redis: however they are batched. */
  readonly deliveriesOut: prom.Counter;
  /** Deliveries received from other gateways. */
  readonly deliveriesIn: prom.Counter;

  constructor(registry: Registry) {
    this.publishes = new prom.Counter({ name: 'im_router_publishes_total', help: 'Messages published to other gateways, by kind', labelNames: ['kind'], registers: [registry] });
    this.received = new prom.Counter({ name: 'im_router_received_total', help: 'Messages received from other gateways, by kind', labelNames: ['kind'], registers: [registry] });
    this.publishFailures = new prom.Counter({ name: 'im_router_publish_failures_total', help: 'Publishes Redis refused or could not take, by kind', labelNames: ['kind'], registers: [registry] });
    this.deliveriesOut = new prom.Counter({ name: 'im_router_deliveries_out_total', help: 'Deliveries handed to other gateways: one per event and gateway holding its recipients', registers: [registry] });
    this.deliveriesIn = new prom.Counter({ name: 'im_router_deliveries_in_total', help: 'Deliveries received from other gateways', registers: [registry] });
  }
}
