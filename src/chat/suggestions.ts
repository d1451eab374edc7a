/*
 * Suggestions carried by argument kinds (`arg.pair()`, `arg.tradeId()`, `arg.lockId()`,
 * `arg.bot()`): what a platform with autocomplete offers while the user types an argument. The
 * router's `suggest()` finds an argument's suggester here and authorises the asker first.
 */
import { z } from 'zod';
import type { FreqtradeClient } from '../freqtrade/client.js';
import { shortProfit } from '../format/trade-phrases.js';

/** One suggestion: what the user sees and the argument text it stands for. */
export interface Suggestion {
  label: string;
  value: string;
}

/** What a suggester may look at: the bot the command would address, and the bots this chat may use. */
export interface SuggestionSources {
  /** Undefined when no bot can be addressed here (none configured, or not allowed in this chat). */
  bot: FreqtradeClient | undefined;
  botNames: string[];
  /** The command answers for every bot at once (`bot=all`, its spec's `acrossBots`). */
  acrossBots?: boolean;
}

/** Suggestions for what is typed so far (`prefix`); the caller cuts them to the platform's limit. */
export type Suggester = (sources: SuggestionSources, prefix: string) => Promise<Suggestion[]>;

/** The suggester of each argument schema built by `withSuggestions`. */
const suggesters = new WeakMap<z.ZodType, Suggester>();

/** Returns `schema`, marked so that its argument is suggested by `suggester`. */
export function withSuggestions<T extends z.ZodType>(schema: T, suggester: Suggester): T {
  suggesters.set(schema, suggester);
  return schema;
}

/** The suggester of an argument, looking through optional, default, nullable and pipe wrappers; undefined when it has none. */
export function suggesterOf(schema: z.ZodType): Suggester | undefined {
  for (let current: z.ZodType | undefined = schema; current; current = unwrapOnce(current)) {
    const found = suggesters.get(current);
    if (found) return found;
  }
  return undefined;
}

/** The schema one optional / default / nullable / pipe wrapper in, or undefined when `schema` is none of those. */
export function unwrapOnce(schema: z.ZodType): z.ZodType | undefined {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodNullable) {
    return schema.unwrap() as z.ZodType;
  }
  if (schema instanceof z.ZodPipe) return schema.in as z.ZodType;
  return undefined;
}

/** True when `prefix` (trimmed, any case) is empty or found in one of `texts`. */
export function matchesTyped(prefix: string, ...texts: string[]): boolean {
  const needle = prefix.trim().toLowerCase();
  return needle === '' || texts.some((text) => text.toLowerCase().includes(needle));
}

/**
 * The bot's open trades (`#3 BTC/USDT +1.25%`), plus `all` when `orAll` and more than one is
 * open, or `table` first when `orTable`.
 */
export function suggestTrades(options: { orAll?: boolean; orTable?: boolean } = {}): Suggester {
  return async ({ bot }, prefix) => {
    if (!bot) return [];
    const trades = await bot.status();
    const choices: Suggestion[] = trades
      .map((trade) => ({ label: `#${trade.trade_id} ${trade.pair} ${shortProfit(trade)}`, trade }))
      .filter(({ label, trade }) => matchesTyped(prefix, label, String(trade.trade_id)))
      .map(({ label, trade }) => ({ label, value: String(trade.trade_id) }));
    if (options.orAll && trades.length > 1 && matchesTyped(prefix, 'all')) {
      choices.push({ label: `All ${trades.length} open trades`, value: 'all' });
    }
    if (options.orTable && matchesTyped(prefix, 'table')) {
      choices.unshift({ label: 'table (compact view of every trade)', value: 'table' });
    }
    return choices;
  };
}

/** The pairs of the bot's whitelist. */
export const suggestPairs: Suggester = async ({ bot }, prefix) => {
  if (!bot) return [];
  const { whitelist } = await bot.whitelist();
  return whitelist.filter((pair) => matchesTyped(prefix, pair)).map((pair) => ({ label: pair, value: pair }));
};

/** The bot's locked pairs (every lock of the pair), then each lock by id. */
export const suggestLocks: Suggester = async ({ bot }, prefix) => {
  if (!bot) return [];
  const { locks } = await bot.locks();
  const pairs = [...new Set(locks.map((lock) => lock.pair))];
  return [
    ...pairs
      .filter((pair) => matchesTyped(prefix, pair))
      .map((pair) => ({ label: `${pair} (every lock of this pair)`, value: pair })),
    ...locks
      .filter((lock) => matchesTyped(prefix, String(lock.id), lock.pair))
      .map((lock) => ({
        label: `#${lock.id} ${lock.pair}${lock.reason ? ` (${lock.reason})` : ''}`,
        value: String(lock.id),
      })),
  ];
};

/** The value of `bot` that asks every bot of the chat at once. */
export const ALL_BOTS = 'all';

/**
 * The bots this chat may address, and first `all` when the command answers for every bot at once
 * and the chat may address more than one.
 */
export const suggestBots: Suggester = async ({ botNames, acrossBots }, prefix) => {
  const choices = botNames
    .filter((name) => matchesTyped(prefix, name))
    .map((name) => ({ label: name, value: name }));
  if (acrossBots && botNames.length > 1 && matchesTyped(prefix, ALL_BOTS)) {
    choices.unshift({ label: `${ALL_BOTS} (every bot of this chat at once)`, value: ALL_BOTS });
  }
  return choices;
};
