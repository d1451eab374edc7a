/**
 * One view across many bots (`bot=all`): every bot is asked at once under one deadline for the
 * whole view, and the answers are joined into one reply, a section per bot, then money totals per
 * label and stake currency (USDT is never added to BTC). A bot that fails or is late becomes a row
 * saying why and never holds the others back.
 */
import { formatMoney, formatSignedMoney } from '../format/money.js';
import type { Reply, ReplyBlock, ReplyField } from './reply.js';
import type { FleetPart, MoneyTotal } from './types.js';

/** How long a `bot=all` view waits for all bots together: shorter than a single call's timeout. */
export const FLEET_VIEW_DEADLINE_MS = 4_000;

/** What one bot gave to a fleet view. */
export type FleetResult =
  | { bot: string; outcome: 'ok'; part: FleetPart }
  | { bot: string; outcome: 'failed'; reason: string }
  | { bot: string; outcome: 'late' };

/** A total summed over bots, with the bots it came from. */
export interface FleetTotal extends MoneyTotal {
  bots: string[];
}

/** `4 s`, `2.5 s`: how a deadline is named in the "not answering" row. */
export function deadlineText(deadlineMs: number): string {
  return `${Number((deadlineMs / 1000).toFixed(1))} s`;
}

/** Totals summed per label and stake currency, in the order first seen; never across currencies. */
export function sumTotals(results: readonly FleetResult[]): FleetTotal[] {
  const byKey = new Map<string, FleetTotal>();
  for (const result of results) {
    if (result.outcome !== 'ok') continue;
    for (const total of result.part.totals ?? []) {
      const key = `${total.label}\u0000${total.currency}`;
      const known = byKey.get(key);
      if (known) {
        known.amount += total.amount;
        if (!known.bots.includes(result.bot)) known.bots.push(result.bot);
      } else {
        byKey.set(key, { ...total, bots: [result.bot] });
      }
    }
  }
  return [...byKey.values()];
}

/** One bot's section: its name as a heading, then its reply (title and blocks) or why it is missing. */
function sectionOf(result: FleetResult, deadlineMs: number): ReplyBlock[] {
  if (result.outcome === 'late') {
    return [{ kind: 'text', text: `⚠️ ${result.bot}: not answering within ${deadlineText(deadlineMs)}` }];
  }
  if (result.outcome === 'failed') {
    return [{ kind: 'text', text: `⚠️ ${result.bot}: ${result.reason}` }];
  }
  const { reply } = result.part;
  const heading = reply.title ? `${result.bot} · ${reply.title}` : result.bot;
  return [{ kind: 'text', text: heading, style: 'bold' }, ...reply.blocks];
}

/** Joins the bots' answers into one reply: sections in bot order, then totals per stake currency. */
export function joinFleetView(title: string, results: readonly FleetResult[], deadlineMs: number): Reply {
  const blocks = results.flatMap((result) => sectionOf(result, deadlineMs));
  const totals = sumTotals(results);
  if (totals.length > 0) {
    const fields: ReplyField[] = totals.map((total) => ({
      label: `${total.label} (${total.currency || 'unknown currency'})`,
      value: `${total.signed ? formatSignedMoney(total.amount, total.currency) : formatMoney(total.amount, total.currency)} from ${total.bots.join(', ')}`,
    }));
    blocks.push(
      { kind: 'text', text: 'Totals per stake currency', style: 'bold' },
      { kind: 'fields', fields },
    );
  }
  const missing = results.filter((result) => result.outcome !== 'ok').length;
  const answered = results.length - missing;
  return {
    title: `${title} · all bots (${answered}/${results.length} answered)`,
    tone: missing > 0 ? 'warning' : 'info',
    blocks,
  };
}

export interface FleetViewRequest<B extends { name: string }> {
  bots: readonly B[];
  deadlineMs: number;
  /** One bot's part; its failure becomes that bot's row. */
  ask(bot: B): Promise<FleetPart>;
  /** A failure as a short text safe to show (no secrets). */
  describeError(error: unknown): string;
}

/**
 * Asks every bot at once and resolves by the deadline at the latest, in bot order. A late answer
 * is dropped (its call keeps running until its own timeout, and its failure is swallowed).
 */
export async function askAcrossBots<B extends { name: string }>(
  request: FleetViewRequest<B>,
): Promise<FleetResult[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), request.deadlineMs);
  });
  try {
    return await Promise.all(
      request.bots.map(async (bot): Promise<FleetResult> => {
        const answer = request.ask(bot).then(
          (part) => ({ bot: bot.name, outcome: 'ok' as const, part }),
          (error: unknown) => ({
            bot: bot.name,
            outcome: 'failed' as const,
            reason: request.describeError(error),
          }),
        );
        const first = await Promise.race([answer, deadline]);
        return first === 'late' ? { bot: bot.name, outcome: 'late' } : first;
      }),
    );
  } finally {
    clearTimeout(timer);
  }
}
