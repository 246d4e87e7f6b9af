/**
 * The order keeper of one conversation: it hands events to the app exactly once and in
 * `seq` order, whatever order pushes and sync pages arrive in.
 *
 * `delivered` is the highest seq handed out. A push right after it goes out at once (with
 * any buffered ones that now follow); a push further ahead is held and reported as a gap,
 * which the caller fills with `sync`. A sync page is authoritative: it lists every event the
 * reader may see in its range, so seqs missing from it (events hidden by the reader) are
 * not gaps, and everything up to `coveredTo` counts as delivered.
 */
export interface Sequenced {
  seq: number;
}

/** Held pushes beyond this are dropped; sync fetches them again. */
export const MAX_HELD = 10_000;

export class SeqStream<E extends Sequenced> {
  private readonly held = new Map<number, E>();

  constructor(public delivered: number) {}

  /** A pushed event. `ready`: what may go to the app now, in order; `gap`: seqs are missing before it. */
  push(event: E): { ready: E[]; gap: boolean } {
    if (event.seq <= this.delivered) return { ready: [], gap: false };
    if (event.seq === this.delivered + 1) {
      this.delivered = event.seq;
      return { ready: [event, ...this.drain()], gap: false };
    }
    if (this.held.size < MAX_HELD || this.dropHighestAbove(event.seq)) this.held.set(event.seq, event);
    return { ready: [], gap: true };
  }

  /**
   * A sync page ascending by seq, complete up to `coveredTo`: the last event's seq, or the
   * conversation's max_seq when nothing more lies beyond the page.
   */
  page(events: readonly E[], coveredTo: number): E[] {
    const ready: E[] = [];
    for (const e of events) {
      if (e.seq <= this.delivered) continue;
      ready.push(e);
      this.delivered = e.seq;
    }
    if (coveredTo > this.delivered) this.delivered = coveredTo;
    for (const seq of this.held.keys()) if (seq <= this.delivered) this.held.delete(seq);
    ready.push(...this.drain());
    return ready;
  }

  /** Whether pushes are held waiting for a sync to fill what lies before them. */
  get hasGap(): boolean {
    return this.held.size > 0;
  }

  get heldCount(): number {
    return this.held.size;
  }

  private drain(): E[] {
    const out: E[] = [];
    for (let next = this.held.get(this.delivered + 1); next; next = this.held.get(this.delivered + 1)) {
      this.held.delete(next.seq);
      this.delivered = next.seq;
      out.push(next);
    }
    return out;
  }

  /** Makes room for a lower seq (it is needed sooner); false when the new one is the highest. */
  private dropHighestAbove(seq: number): boolean {
    let highest = -1;
    for (const s of this.held.keys()) if (s > highest) highest = s;
    if (highest <= seq) return false;
    this.held.delete(highest);
    return true;
  }
}
