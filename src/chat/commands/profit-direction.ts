/*
 * /profit_long and /profit_short (also `/profit long|short`): the /profit statistics of one
 * direction, from REST `/profit_all` (Freqtrade 2025.7+, API 2.43). Freqtrade's own Telegram
 * commands of the same names compute the same figures per direction.
 */
import { z } from 'zod';
import { ApiError, UserInputError } from '../../errors.js';
import type { FreqtradeClient } from '../../freqtrade/client.js';
import type { Profit } from '../../freqtrade/schemas.js';
import type { Logger } from '../../logger.js';
import type { Reply, ReplyBlock } from '../reply.js';
import { defineCommand } from '../types.js';
import { profitFields } from './profit.js';
import { formatUtcWithAge } from '../../format/dates.js';
import { settled } from './secondary-calls.js';

/** The first Freqtrade release with REST `/profit_all` (API 2.43); 2024.10 (API 2.40) lacks it. */
export const PROFIT_ALL_SINCE = '2025.7';

export type TradeDirection = 'long' | 'short';

/** What a directional /profit needs besides the bot: the clock and a logger for secondary calls. */
interface DirectionalProfitDeps {
  bot: FreqtradeClient;
  logger: Logger;
  nowMs: number;
}

/**
 * The Profit of one direction from a `/profit_all` answer. Freqtrade fills `long`/`short` only
 * outside spot; on spot every trade is long, so `long` is `all` and `short` is null.
 */
export function directionProfit(
  answer: { all: Profit; long?: Profit | null | undefined; short?: Profit | null | undefined },
  direction: TradeDirection,
): Profit | null {
  const value = answer[direction];
  if (value) return value;
  return direction === 'long' && answer.short == null ? answer.all : null;
}

/** The /profit reply for one direction; "needs Freqtrade 2025.7 or newer" on a server without `/profit_all`. */
export async function directionalProfitReply(
  deps: DirectionalProfitDeps,
  direction: TradeDirection,
): Promise<Reply> {
  const { bot, logger, nowMs } = deps;
  const label = direction === 'long' ? 'Long' : 'Short';
  // /daily names the stake and fiat currencies, which /profit_all does not.
  const [answer, daily] = await Promise.all([
    bot.profitAll().catch(async (error: unknown) => {
      if (error instanceof ApiError && error.status === 404 && error.detail === 'Not Found') {
        const version = await settled(bot.version(), logger, 'version');
        const running = version ? ` (${bot.name} runs ${version.version})` : '';
        throw new UserInputError(
          `/profit_${direction} needs Freqtrade ${PROFIT_ALL_SINCE} or newer${running}; /profit shows all trades.`,
        );
      }
      throw error;
    }),
    settled(bot.daily(1), logger, 'daily'),
  ]);
  const stake = daily?.stake_currency ?? '';
  const fiatCurrency = daily?.fiat_display_currency ?? '';
  const profit = directionProfit(answer, direction);
  const title = `📈 Profit (${direction})`;
  if (profit === null) {
    return {
      title,
      tone: 'neutral',
      blocks: [
        { kind: 'text', text: `No ${direction} trades: this bot trades spot, which has only long trades.` },
      ],
    };
  }
  const blocks: ReplyBlock[] = [];
  if (profit.trade_count === 0) {
    blocks.push({ kind: 'text', text: `No ${direction} trades yet.` });
    if (profit.bot_start_timestamp > 0) {
      blocks.push({
        kind: 'fields',
        fields: [{ label: 'Bot started', value: formatUtcWithAge(profit.bot_start_timestamp, nowMs) }],
      });
    }
  } else {
    blocks.push({ kind: 'text', text: `${label} trades only.`, style: 'italic' });
    blocks.push({ kind: 'fields', fields: profitFields(profit, stake, fiatCurrency, nowMs) });
  }
  const amount = profit.profit_all_coin ?? profit.profit_closed_coin;
  const tone = amount === null || !Number.isFinite(amount) ? 'neutral' : amount >= 0 ? 'profit' : 'loss';
  return { title, tone, blocks };
}

/** Builds /profit_long or /profit_short. */
function directionCommand(direction: TradeDirection) {
  return defineCommand({
    name: `profit_${direction}`,
    order: direction === 'long' ? 45 : 46,
    description: `The /profit statistics of ${direction} trades only (Freqtrade ${PROFIT_ALL_SINCE}+)`,
    usage: `/profit_${direction}`,
    role: 'viewer',
    refreshable: true,
    args: z.object({}),
    run: (run) =>
      directionalProfitReply(
        { bot: run.bot, logger: run.services.logger, nowMs: run.services.now() },
        direction,
      ),
  });
}

export const profitLongCommand = directionCommand('long');
export const profitShortCommand = directionCommand('short');
