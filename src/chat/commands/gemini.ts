/*
 * /gemini and /reconcile: balances straight from the Gemini exchange, and a comparison with what
 * a Freqtrade bot believes it holds. Amounts stay exact decimal strings until they are shown.
 */
import { z } from 'zod';
import { enabledGemini, type GeminiConfig } from '../../config/schema.js';
import { ApiError, UserInputError, ValidationError } from '../../errors.js';
import {
  type GeminiClient,
  type GeminiNotionalBalance,
  geminiErrorHint,
} from '../../exchanges/gemini/client.js';
import {
  addDecimals,
  compareDecimals,
  decimalFromNumber,
  isZeroDecimal,
  multiplyDecimals,
} from '../../exchanges/gemini/decimal.js';
import { type ReconciledCurrency, reconcileBalances } from '../../exchanges/gemini/reconcile.js';
import { plural, pluralWord } from '../../format/plural.js';
import type { Logger } from '../../logger.js';
import type { Reply, ReplyBlock } from '../reply.js';
import type { Config } from '../../config/schema.js';
import { type CommandRun, defineCommand, type RequiredRole } from '../types.js';

const NOT_ENABLED = 'Gemini is not enabled in this configuration (gemini.enabled).';

/** The Gemini client and config of a run; throws UserInputError when Gemini is not set up. */
function geminiOf(run: Pick<CommandRun<unknown>, 'services'>): {
  client: GeminiClient;
  config: GeminiConfig;
} {
  const config = enabledGemini(run.services.config);
  const client = run.services.gemini;
  if (!config || !client) throw new UserInputError(NOT_ENABLED);
  return { client, config };
}

/** Returns `text` with its first letter upper-cased. */
function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Returns the chat text for a Gemini refusal: the reason code and status, then the plain-words
 * hint (or, with no hint, Gemini's own scrubbed message). Never holds the secret, payload or
 * signature: the client keeps those out of `reason` and `detail`.
 */
export function describeGeminiRefusal(error: ApiError, command: string, timeBasedNonce: boolean): string {
  const code = error.reason ? `${error.reason}, HTTP ${error.status}` : `HTTP ${error.status}`;
  const hint = geminiErrorHint(error.reason, error.status, { timeBasedNonce });
  const advice = hint ? `${capitalize(hint)}.` : error.detail ? `Gemini said: ${error.detail}` : '';
  return [`Gemini refused /${command} (${code}).`, advice].filter(Boolean).join('\n');
}

/**
 * Awaits a Gemini call, turning its refusal (`ApiError`) or an unreadable answer
 * (`ValidationError`) into a `UserInputError` the router shows as is, hint included; the
 * original error goes to the log, since the router does not log `UserInputError`s.
 */
async function fromGemini<T>(
  call: Promise<T>,
  command: string,
  config: GeminiConfig,
  logger: Logger,
): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ApiError && error.service === 'gemini') {
      logger.warn({ err: error, command, reason: error.reason, status: error.status }, 'gemini refused');
      throw new UserInputError(describeGeminiRefusal(error, command, config.time_based_nonce));
    }
    if (error instanceof ValidationError) {
      logger.warn({ err: error, command }, 'gemini answer not understood');
      throw new UserInputError(
        `Gemini's answer to /${command} was not understood; the details are in the log.`,
      );
    }
    throw error;
  }
}

/** Returns a decimal with at least `minDecimals` fraction digits, padding only ("12.5" → "12.50"); digits are never dropped. */
function padDecimals(text: string, minDecimals: number): string {
  const [whole, fraction = ''] = text.split('.');
  if (fraction.length >= minDecimals) return text;
  return `${whole}.${fraction.padEnd(minDecimals, '0')}`;
}

/** Returns a signed difference for display: "+0.5", "-0.5", "0". */
function signed(difference: string): string {
  return isZeroDecimal(difference) || difference.startsWith('-') ? difference : `+${difference}`;
}

/** Returns a tolerance ratio as a percent text, exactly (0.001 → "0.1%"). */
export function tolerancePercent(toleranceRatio: number): string {
  return `${multiplyDecimals(decimalFromNumber(toleranceRatio), '100')}%`;
}

/** The role both commands need: admin, or viewer when `gemini.viewers_allowed`. */
/** /gemini and /reconcile are for admins, and for viewers too when `gemini.viewers_allowed`. */
function geminiRole(config: Config): RequiredRole {
  return enabledGemini(config)?.viewers_allowed ? 'viewer' : 'admin';
}

const currencyCode = z
  .string()
  .regex(/^[A-Za-z0-9]{2,10}$/, 'expected currency codes such as BTC ETH')
  .transform((code) => code.toUpperCase());

/** Builds the /gemini reply from notional balances (already filtered, non-zero). */
function geminiBalancesReply(
  balances: GeminiNotionalBalance[],
  notional: string,
  title: string,
  missing: string[],
): Reply {
  const blocks: ReplyBlock[] = [];
  if (balances.length === 0) {
    blocks.push({
      kind: 'text',
      text: missing.length ? `No balance in ${missing.join(', ')}.` : 'No balances on Gemini.',
    });
    return { title, tone: 'neutral', blocks };
  }
  const sorted = [...balances].sort((a, b) => compareDecimals(b.amountNotional, a.amountNotional));
  blocks.push({
    kind: 'table',
    headers: ['Currency', 'Amount', 'Available', `Value ${notional}`],
    rows: sorted.map((balance) => [
      balance.currency.toUpperCase(),
      balance.amount,
      balance.available,
      padDecimals(balance.amountNotional, 2),
    ]),
    align: ['left', 'right', 'right', 'right'],
  });
  const total = sorted.reduce((sum, balance) => addDecimals(sum, balance.amountNotional), '0');
  blocks.push({
    kind: 'fields',
    fields: [
      { label: sorted.length > 1 ? 'Total value' : 'Value', value: `${padDecimals(total, 2)} ${notional}` },
    ],
  });
  if (missing.length)
    blocks.push({ kind: 'text', text: `No balance in ${missing.join(', ')}.`, style: 'italic' });
  return { title, tone: 'info', blocks };
}

/** Builds the /reconcile reply from reconciled rows. */
function reconcileReply(
  rows: ReconciledCurrency[],
  botName: string,
  toleranceRatio: number,
  note: string,
): Reply {
  const within = tolerancePercent(toleranceRatio);
  const blocks: ReplyBlock[] = [];
  const noteBlock: ReplyBlock[] = note
    ? [
        {
          kind: 'text',
          text: `${botName} reports "${note}": a simulated wallet is not expected to match Gemini.`,
          style: 'italic',
        },
      ]
    : [];
  if (rows.length === 0) {
    return {
      title: '⚖️ Reconcile',
      tone: 'neutral',
      blocks: [
        { kind: 'text', text: `Nothing to compare: neither Gemini nor ${botName} holds any balance.` },
        ...noteBlock,
      ],
    };
  }
  const flagged = rows.filter((row) => row.flagged);
  if (flagged.length === 0) {
    blocks.push({
      kind: 'text',
      text:
        rows.length === 1
          ? `The 1 currency matches within ${within}.`
          : `All ${rows.length} currencies match within ${within}.`,
    });
  } else {
    blocks.push({
      kind: 'text',
      text: `${flagged.map((row) => row.currency.toUpperCase()).join(', ')} ${pluralWord(flagged.length, 'differs', 'differ')} by more than ${within} of the larger amount.`,
    });
  }
  blocks.push({
    kind: 'table',
    headers: ['Currency', 'Gemini', botName, 'Difference', ''],
    rows: rows.map((row) => [
      row.currency.toUpperCase(),
      row.exchange,
      row.freqtrade,
      signed(row.difference),
      row.flagged ? '⚠ check' : 'ok',
    ]),
    align: ['left', 'right', 'right', 'right', 'left'],
  });
  blocks.push({
    kind: 'text',
    text: `Difference = Gemini − ${botName}; tolerance ${within}.`,
    style: 'italic',
  });
  blocks.push(...noteBlock);
  if (flagged.length === 0) return { title: `✅ Gemini matches ${botName}`, tone: 'profit', blocks };
  return {
    title: `⚠️ Gemini and ${botName} disagree on ${flagged.length} of ${plural(rows.length, 'currency', 'currencies')}`,
    tone: 'warning',
    blocks,
  };
}

/** /gemini: balances on the exchange; registered only when Gemini is configured. */
export const geminiCommand = defineCommand({
  name: 'gemini',
  order: 430,
  description: 'Balances on the Gemini exchange: amount, available and value; [currency…] to filter',
  usage: '/gemini [currencies…]',
  role: 'admin',
  configuredRole: geminiRole,
  requires: 'gemini',
  needsBot: false,
  refreshable: true,
  args: z.object({
    currencies: z.array(currencyCode).default([]).describe('currency codes to show, e.g. BTC ETH'),
  }),
  async run(run) {
    const { client, config } = geminiOf(run);
    const notional = config.notional_currency.toUpperCase();
    const all = await fromGemini(
      client.notionalBalances(config.notional_currency),
      'gemini',
      config,
      run.services.logger,
    );
    const wanted = new Set(run.args.currencies);
    const held = all.filter((balance) => !isZeroDecimal(balance.amount));
    const shown = wanted.size ? held.filter((balance) => wanted.has(balance.currency.toUpperCase())) : held;
    const shownCodes = new Set(shown.map((balance) => balance.currency.toUpperCase()));
    const missing = [...wanted].filter((code) => !shownCodes.has(code));
    const title = config.account ? `💎 Gemini balances (${config.account})` : '💎 Gemini balances';
    return geminiBalancesReply(shown, notional, title, missing);
  },
});

/** /reconcile: Gemini's balances against a bot's /balance; registered only when Gemini is configured. */
export const reconcileCommand = defineCommand({
  name: 'reconcile',
  order: 440,
  description: "Compare Gemini's balances with what the Freqtrade bot reports in /balance",
  usage: '/reconcile [bot=<name>]',
  role: 'admin',
  configuredRole: geminiRole,
  requires: 'gemini',
  refreshable: true,
  args: z.object({}),
  async run(run) {
    const { client, config } = geminiOf(run);
    const [exchange, freqtrade] = await Promise.all([
      fromGemini(client.balances(), 'reconcile', config, run.services.logger),
      run.bot.balance(),
    ]);
    const rows = reconcileBalances(exchange, freqtrade.currencies, config.tolerance_ratio);
    return reconcileReply(rows, run.bot.name, config.tolerance_ratio, freqtrade.note);
  },
});
