/**
 * A small typed event emitter that runs in browsers and Node alike (node:events does not
 * exist in a browser). `Events` maps each event name to the type of its one argument.
 *
 * A listener that throws never breaks the emitter or the code that emitted: the error is
 * handed to the `onListenerError` callback given at construction, or written to the console
 * when there is none. It is never rethrown: in Node that would end the process.
 */
export type Listener<T> = (value: T) => void;

export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly onListenerError?: (err: unknown, event: keyof Events) => void) {}

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return this;
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    const set = this.listeners.get(event);
    if (set) {
      set.delete(listener as Listener<never>);
      // A `once` wrapper is registered in place of the listener: remove it too.
      for (const l of set) if ((l as { original?: unknown }).original === listener) set.delete(l);
    }
    return this;
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    const wrapper = Object.assign((value: Events[K]) => {
      this.off(event, wrapper);
      listener(value);
    }, { original: listener });
    return this.on(event, wrapper);
  }

  listenerCount<K extends keyof Events>(event: K): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  removeAllListeners<K extends keyof Events>(event?: K): this {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
    return this;
  }

  /** Calls every listener of `event`; returns whether there was one. Never throws. */
  emit<K extends keyof Events>(event: K, value: Events[K]): boolean {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return false;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(value);
      } catch (err) {
        this.report(err, event);
      }
    }
    return true;
  }

  private report(err: unknown, event: keyof Events): void {
    try {
      if (this.onListenerError) this.onListenerError(err, event);
      else console.error(`a listener of "${String(event)}" threw`, err);
    } catch {
      // The reporter itself failed; there is nobody left to tell.
    }
  }
}
