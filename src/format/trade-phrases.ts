/*
 * How a trade reads, the same in command replies and notifications: its direction, its profit
 * ("+1.01% (+1.01 USDT)": the percent first, everywhere), and the exit emoji. Pure.
 */
import { isPresent, NOT_AVAILABLE, UNKNOWN } from './missing.js';
import { formatSignedMoney } from './money.js';
import { formatSignedPercent } from './numbers.js';

/** A trade's direction as Freqtrade words it. */
export type TradeDirection = 'Long' | 'Short';

/** `'Short'` for a short trade, `'Long'` otherwise. */
export function directionOf(isShort: boolean): TradeDirection {
  return isShort ? 'Short' : 'Long';
}

/** `'Long'`, `'Short (3x)'`: leverage shown when known and not 1, with up to 3 significant digits as Freqtrade does. */
export function directionText(direction: TradeDirection, leverage: number | null | undefined): string {
  return isPresent(leverage) && leverage !== 1
    ? `${direction} (${Number(leverage.toPrecision(3))}x)`
    : direction;
}

/**
 * `'+1.25% (+2.41 USDT)'`: the ratio as a percent, then the amount. Either part alone when the
 * other is missing; `n/a` when both are.
 */
export function profitText(
  ratio: number | null | undefined,
  amount: number | null | undefined,
  currency: string,
): string {
  const money = isPresent(amount) ? formatSignedMoney(amount, currency) : undefined;
  if (!isPresent(ratio)) return money ?? NOT_AVAILABLE;
  const percent = formatSignedPercent(ratio);
  return money === undefined ? percent : `${percent} (${money})`;
}

/**
 * The exit emoji Freqtrade's Telegram uses (`_get_exit_emoji`): 🚀 at ≥ 5 % profit, ✳️ at ≥ 0,
 * ⚠️ for a loss with exit reason `stop_loss`, ❌ for any other loss; a non-finite ratio counts as a loss.
 */
export function profitEmoji(ratio: number, exitReason?: string | null): string {
  if (ratio >= 0.05) return '🚀';
  if (ratio >= 0) return '✳️';
  if (exitReason === 'stop_loss') return '⚠️';
  return '❌';
}

/** The priced parts of a trade that its current profit reads from. */
export interface PricedTrade {
  current_rate: number | null;
  profit_ratio: number | null;
  profit_abs: number | null;
  quote_currency: string;
}

/**
 * A trade's profit now: `'✳️ +1.20% (+1.20 USDT)'`, or `'unknown (no current rate)'` when
 * Freqtrade has no current rate (a pricing failure arrives as null, never as a zero to show).
 */
export function currentProfitText(trade: PricedTrade): string {
  const ratio = trade.profit_ratio;
  if (trade.current_rate === null || !isPresent(ratio)) return `${UNKNOWN} (no current rate)`;
  return `${profitEmoji(ratio)} ${profitText(ratio, trade.profit_abs, trade.quote_currency)}`;
}

/** A trade's profit ratio as a short signed percent for lists and buttons, `'?'` when it is unknown. */
export function shortProfit(trade: Pick<PricedTrade, 'profit_ratio' | 'current_rate'>): string {
  const ratio = trade.profit_ratio;
  return trade.current_rate === null || !isPresent(ratio) ? '?' : formatSignedPercent(ratio);
}
