/*
 * Secondary Freqtrade calls of the read-only commands (trades.ts, profit.ts, info.ts): calls whose
 * failure must not fail the reply, because the main call decides it. Moved here from the former
 * read-format.ts; the formatting it held lives in src/format/.
 */
import { ApiError } from '../../errors.js';
import type { FreqtradeClient } from '../../freqtrade/client.js';
import type { Logger } from '../../logger.js';

/** The value of a secondary call, or undefined when it failed (logged at debug: the main call decides the reply). */
export async function settled<T>(promise: Promise<T>, logger: Logger, what: string): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    logger.debug({ err: error, what }, 'secondary freqtrade call failed; replying without it');
    return undefined;
  }
}

/** The bot's stake currency from /show_config (`""` when that call fails), for labelling money. */
export async function stakeCurrencyOf(bot: FreqtradeClient, logger: Logger): Promise<string> {
  const config = await settled(bot.showConfig(), logger, 'show_config');
  return config?.stake_currency ?? '';
}

/** Each trade by id, asked side by side; `trade` is null for an id Freqtrade does not know (404). */
export function tradesByIds(
  bot: FreqtradeClient,
  ids: readonly number[],
): Promise<Array<{ id: number; trade: Awaited<ReturnType<FreqtradeClient['trade']>> | null }>> {
  return Promise.all(
    ids.map(async (id) => {
      try {
        return { id, trade: await bot.trade(id) };
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return { id, trade: null };
        throw error;
      }
    }),
  );
}
