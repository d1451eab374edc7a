/**
 * A tiny typed event emitter: the event names and their payloads come from one map type, so a
 * listener for `connected` gets the `connected` payload and a misspelt name does not compile.
 * Listeners run synchronously, in the order they were added; one that throws is reported to
 * `onListenerError` and the others still run.
 */
export interface TypedEvents<Events extends object> {
  /** Listens to one event; returns a function that stops listening. */
  on<K extends keyof Events>(name: K, listener: (payload: Events[K]) => void): () => void;
}

export interface TypedEmitter<Events extends object> extends TypedEvents<Events> {
  /** Calls every listener of `name` with `payload`, synchronously. */
  emit<K extends keyof Events>(name: K, payload: Events[K]): void;
}

/** Creates an emitter for the event map `Events`; a listener that throws goes to `onListenerError`. */
export function createTypedEmitter<Events extends object>(
  onListenerError: (name: keyof Events, error: unknown) => void,
): TypedEmitter<Events> {
  const listeners: { [K in keyof Events]?: Set<(payload: Events[K]) => void> } = {};
  return {
    on(name, listener) {
      const set = listeners[name] ?? new Set();
      listeners[name] = set;
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    emit(name, payload) {
      const set = listeners[name];
      if (!set) return;
      // A copy: a listener that removes itself (or adds another) does not disturb this round.
      for (const listener of [...set]) {
        try {
          listener(payload);
        } catch (error) {
          onListenerError(name, error);
        }
      }
    },
  };
}
