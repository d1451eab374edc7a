/**
 * The back-fill of one bot, as a listener of its message websocket. Freqtrade never replays
 * missed messages (shared/freqtrade-api.md, "Message websocket"), so on every (re)connect this
 * asks `/status` and the newest `/trades` page what happened meanwhile, compares that with the
 * seen trades in the store (notify/backfill.ts, pure) and announces each missed trade exactly
 * once, across reconnects and restarts. Live events pass through to `onEvent`; those that arrive
 * while a back-fill is looking are held and sent after what it found, so a chat never reads a
 * trade's live exit before its late entry. Each finished back-fill emits `finished`.
 */
import { ApiError, describeError } from '../errors.js';
import type { FreqtradeClient } from '../freqtrade/client.js';
import type { BotEvent, FreqtradeMessageType } from '../freqtrade/event-schemas.js';
import type { EventStreamEvents } from '../freqtrade/event-stream.js';
import type { OpenTrade, Trade } from '../freqtrade/schemas.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { createTypedEmitter, type TypedEvents } from '../typed-events.js';
import { applyLiveMessage, diffTrades, entryEventFromTrade, exitFillEventFromTrade } from './backfill.js';

export interface BackfillRunnerDeps {
  /** The bot's message websocket: the runner listens to it (connected, disconnected, event). */
  stream: TypedEvents<EventStreamEvents> & { readonly bot: string };
  /** The same bot's REST client, for `/status`, `/trades` and `/trade/{id}`. */
  client: Pick<FreqtradeClient, 'status' | 'trades' | 'trade'>;
  /** Seen trades, so each missed trade is announced exactly once, across restarts too. */
  store: Pick<Store, 'seenTrades' | 'saveSeenTrades'>;
  logger: Logger;
  /** Every live event and every back-filled one (`backfilled: true`), in the order chats should read them. */
  onEvent(event: BotEvent): void;
  /** First retry of a failed back-fill while connected; doubles up to 5 minutes. Default 5 s. */
  retryInitialMs?: number;
}

/** What a finished back-fill reports: the trades it announced, or that it failed (it is retried). */
export interface BackfillResult {
  ok: boolean;
  /** Trade ids announced as entered (back-filled entry or entry fill), in announcement order. */
  entered: number[];
  /** Trade ids announced as exited (back-filled exit fill). */
  exited: number[];
  /** True when this was the first look at the bot: its trades were recorded, none announced. */
  firstSight: boolean;
}

export interface BackfillRunnerEvents {
  /** A back-fill finished: everything it found, and the live events held meanwhile, went to onEvent. */
  finished: BackfillResult;
}

export interface BackfillRunner extends TypedEvents<BackfillRunnerEvents> {
  readonly bot: string;
  /** Stops listening to the stream and clears the retry timer; a back-fill in flight announces nothing more. */
  stop(): void;
}

/** `/trades` page size for the back-fill: the most recent closed trades. */
const RECENT_CLOSED_LIMIT = 50;
/** At most this many seen-open trades are looked up one by one after an outage. */
const MAX_TRADE_LOOKUPS = 50;
const RETRY_INITIAL_MS = 5_000;
const RETRY_MAX_MS = 300_000;

/** Creates the back-fill of one bot and starts listening to its stream at once (before stream.start()). */
export function createBackfillRunner(deps: BackfillRunnerDeps): BackfillRunner {
  const { bot } = deps.stream;
  const log = deps.logger.child({ bot });
  const retryInitialMs = deps.retryInitialMs ?? RETRY_INITIAL_MS;

  let stopped = false;
  /** The stream is connected: a failed back-fill is retried only while it is. */
  let connected = false;
  /** Types of the current subscription: a missed trade is announced only as a subscribed type. */
  let subscribed: ReadonlySet<FreqtradeMessageType> = new Set();
  /** Retries a failed back-fill while the socket stays open, so missed trades are not held until the next drop. */
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let running = false;
  let again = false;
  /** Live events that arrived while a back-fill was looking. */
  let heldLive: BotEvent[] = [];
  /** Trade ids opened live while a back-fill's REST calls were in flight (its /status may predate them). */
  let openedDuringBackfill: Set<number> | undefined;
  /** total_trades of the last /trades answer: where the newest page starts. */
  let knownClosedTotal = 0;

  const events = createTypedEmitter<BackfillRunnerEvents>((name, error) => {
    log.error({ event: name, reason: describeError(error) }, 'back-fill listener threw');
  });

  function emit(event: BotEvent): void {
    try {
      deps.onEvent(event);
    } catch (error) {
      log.error({ type: event.type, reason: describeError(error) }, 'event handler threw; event dropped');
    }
  }

  const unsubscribe = [
    deps.stream.on('connected', ({ types }) => {
      connected = true;
      subscribed = new Set(types);
      void backfill();
    }),
    deps.stream.on('disconnected', () => {
      connected = false;
      clearTimeout(retryTimer);
      retryTimer = undefined;
    }),
    deps.stream.on('event', (event) => {
      if (stopped) return;
      if (running) {
        // Held until the back-fill has announced what it found; its diff counts it as seen.
        if (openedDuringBackfill && (event.type === 'entry' || event.type === 'entry_fill')) {
          openedDuringBackfill.add(event.trade_id);
        }
        heldLive.push(event);
      } else {
        emitLive(event);
      }
    }),
  ];

  /**
   * Announces a live event, then marks its trade as seen. In that order: the notification is
   * queued (and stored, with a durable outbox) before the trade counts as announced, so a crash in
   * between repeats it at worst, and never loses it.
   */
  function emitLive(message: BotEvent): void {
    emit(message);
    const next = applyLiveMessage(deps.store.seenTrades(bot), message);
    if (next) deps.store.saveSeenTrades(bot, next);
  }

  async function backfill(): Promise<void> {
    if (running) {
      again = true;
      return;
    }
    running = true;
    const result: BackfillResult = { ok: true, entered: [], exited: [], firstSight: false };
    try {
      do {
        again = false;
        const once = await backfillOnce();
        result.ok = once.ok;
        result.entered.push(...once.entered);
        result.exited.push(...once.exited);
        result.firstSight ||= once.firstSight;
      } while (again && !stopped);
    } finally {
      running = false;
      const held = heldLive;
      heldLive = [];
      for (const event of held) emitLive(event);
    }
    if (!stopped) events.emit('finished', result);
  }

  /** Schedules the next try of a failed back-fill (while still connected); returns its delay. */
  function scheduleRetry(): number {
    failures += 1;
    const retryInMs = Math.min(RETRY_MAX_MS, retryInitialMs * 2 ** (failures - 1));
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!stopped && connected) void backfill();
    }, retryInMs);
    retryTimer.unref?.();
    return retryInMs;
  }

  async function backfillOnce(): Promise<BackfillResult> {
    const nothing: BackfillResult = { ok: true, entered: [], exited: [], firstSight: false };
    const startedAtMs = Date.now();
    const openedLive = new Set<number>();
    openedDuringBackfill = openedLive;
    let open: OpenTrade[];
    let closed: Trade[];
    try {
      [open, closed] = await Promise.all([deps.client.status(), recentClosedTrades()]);
      closed = [...closed, ...(await seenOpenTradesClosedElsewhere(open, closed))];
    } catch (error) {
      if (!stopped) {
        const retryInMs = scheduleRetry();
        log.warn(
          { reason: describeError(error), retryInMs },
          'could not check for trades missed while disconnected; will try again',
        );
      }
      return { ...nothing, ok: false };
    } finally {
      openedDuringBackfill = undefined;
    }
    failures = 0;
    if (stopped) return nothing;

    // The live events held meanwhile count as seen: they are announced live right after this.
    const seen = heldLive.reduce(
      (state, event) => applyLiveMessage(state, event) ?? state,
      deps.store.seenTrades(bot),
    );
    const diff = diffTrades(seen, open, closed, startedAtMs);
    const closedIds = new Set(diff.next.closed_trade_ids);
    const openIds = new Set([
      ...diff.next.open_trade_ids,
      ...[...openedLive].filter((id) => !closedIds.has(id)),
    ]);
    const next = { ...diff.next, open_trade_ids: [...openIds].sort((a, b) => a - b) };

    if (seen.updated_at_ms === 0) {
      log.info(
        { open: diff.next.open_trade_ids.length, closed: diff.next.closed_trade_ids.length },
        'first connection to this bot: recorded its trades, announcing none',
      );
      deps.store.saveSeenTrades(bot, next);
      return { ...nothing, firstSight: true };
    }
    const found: { atMs: number; event: BotEvent }[] = [];
    // A missed entry is announced as what it is now: `entry_fill` ("Entered") once it filled,
    // `entry` ("Entering") while the order is still open. It stands for both messages, so either
    // subscription asks for it.
    if (subscribed.has('entry') || subscribed.has('entry_fill')) {
      for (const trade of diff.entered) {
        found.push({ atMs: trade.open_timestamp, event: entryEventFromTrade(bot, trade) });
      }
    }
    if (subscribed.has('exit_fill')) {
      for (const trade of diff.exited) {
        found.push({
          atMs: trade.close_timestamp ?? trade.open_timestamp,
          event: exitFillEventFromTrade(bot, trade),
        });
      }
    }
    if (diff.entered.length > 0 || diff.exited.length > 0) {
      log.info(
        {
          entered: diff.entered.map((trade) => trade.trade_id),
          exited: diff.exited.map((trade) => trade.trade_id),
        },
        'back-filled trades missed while disconnected',
      );
    }
    found.sort((a, b) => a.atMs - b.atMs);
    for (const { event } of found) emit(event);
    // Only now, with every missed trade queued, do they count as announced (see emitLive).
    deps.store.saveSeenTrades(bot, next);
    const entered: number[] = [];
    const exited: number[] = [];
    for (const { event } of found) {
      if (event.type === 'entry' || event.type === 'entry_fill') entered.push(event.trade_id);
      else if (event.type === 'exit_fill') exited.push(event.trade_id);
    }
    return { ok: true, entered, exited, firstSight: false };
  }

  /**
   * Trades seen open that are neither open now nor in the newest page of closed trades: a
   * long-held trade that closed while many newer ones did too. Looked up one by one so its exit
   * is still announced; a trade deleted meanwhile (404) is simply gone.
   */
  async function seenOpenTradesClosedElsewhere(open: OpenTrade[], closed: Trade[]): Promise<Trade[]> {
    const known = new Set([...open.map((t) => t.trade_id), ...closed.map((t) => t.trade_id)]);
    const missing = deps.store
      .seenTrades(bot)
      .open_trade_ids.filter((id) => !known.has(id))
      .slice(0, MAX_TRADE_LOOKUPS);
    const lookedUp: Trade[] = [];
    for (const id of missing) {
      try {
        const trade = await deps.client.trade(id);
        if (!trade.is_open) lookedUp.push(trade);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
      }
    }
    return lookedUp;
  }

  /** The newest page of closed trades (`/trades` lists oldest first, so the offset comes from total_trades). */
  async function recentClosedTrades(): Promise<Trade[]> {
    const offset = Math.max(0, knownClosedTotal - RECENT_CLOSED_LIMIT);
    let page = await deps.client.trades({ limit: RECENT_CLOSED_LIMIT, offset });
    const lastPageOffset = Math.max(0, page.total_trades - RECENT_CLOSED_LIMIT);
    if (lastPageOffset !== offset) {
      page = await deps.client.trades({ limit: RECENT_CLOSED_LIMIT, offset: lastPageOffset });
    }
    knownClosedTotal = page.total_trades;
    return page.trades;
  }

  return {
    bot,
    on: events.on,
    stop() {
      if (stopped) return;
      stopped = true;
      connected = false;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      for (const off of unsubscribe) off();
    },
  };
}
