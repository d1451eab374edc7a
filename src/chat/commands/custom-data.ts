/*
 * /list_custom_data <trade_id> [key]: what the strategy stored for a trade (REST
 * `GET /trades/{trade_id}/custom-data?key=`), as Freqtrade's own Telegram `/list_custom_data`
 * shows it: key, type, value, created and updated dates.
 */
import { z } from 'zod';
import { ApiError, UserInputError } from '../../errors.js';
import type { CustomDataItem } from '../../freqtrade/schemas.js';
import { arg, echoInput } from '../arguments.js';
import type { ReplyBlock } from '../reply.js';
import { defineCommand } from '../types.js';
import { formatUtcOrNa, parseFreqtradeDate } from '../../format/dates.js';
import { plural } from '../../format/plural.js';
import { settled } from './secondary-calls.js';

/**
 * The first Freqtrade release with the custom-data REST routes (freqtrade PR #11093, merged
 * 2024-12); 2024.10 (API 2.40) lacks them.
 */
export const CUSTOM_DATA_SINCE = '2024.12';
/** A value longer than this is cut: Freqtrade drops whole entries that overflow a 4096-character message. */
const MAX_VALUE_CHARS = 500;
/** At most this many entries per reply. */
const MAX_ENTRIES = 50;
const USAGE = '/list_custom_data <trade_id> [key]';

/** A custom-data value as text: strings as they are, anything else as JSON; cut to `MAX_VALUE_CHARS` with "…". */
export function customDataValueText(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/** One entry's fields: type, value, created, updated (`never` when not updated). */
function entryBlocks(item: CustomDataItem): ReplyBlock[] {
  return [
    { kind: 'text', text: item.key, style: 'bold' },
    {
      kind: 'fields',
      fields: [
        { label: 'Type', value: item.type },
        { label: 'Value', value: customDataValueText(item.value) },
        { label: 'Created', value: formatUtcOrNa(parseFreqtradeDate(item.created_at)) },
        {
          label: 'Updated',
          value: item.updated_at ? formatUtcOrNa(parseFreqtradeDate(item.updated_at)) : 'never',
        },
      ],
    },
  ];
}

export const listCustomDataCommand = defineCommand({
  name: 'list_custom_data',
  order: 125,
  description: 'What the strategy stored for a trade (its custom data), optionally one key only',
  usage: USAGE,
  role: 'viewer',
  args: z.object({
    trade_id: arg.id('the trade'),
    key: arg.text('only this key').optional(),
  }),
  async run(run) {
    const { trade_id: tradeId, key } = run.args;
    let entries: Awaited<ReturnType<typeof run.bot.tradeCustomData>>;
    try {
      entries = await run.bot.tradeCustomData(tradeId, key);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
      if (error.detail === 'Not Found') {
        // The route itself is missing, not the data: an older Freqtrade.
        const version = await settled(run.bot.version(), run.services.logger, 'version');
        const running = version ? ` (${run.bot.name} runs ${version.version})` : '';
        throw new UserInputError(
          `/list_custom_data needs Freqtrade ${CUSTOM_DATA_SINCE} or newer${running}.`,
        );
      }
      // "No trade found for trade_id: 13" / "No custom-data [with key 'k' ]found for Trade ID: 1."
      return {
        title: `🗂️ Custom data of trade #${tradeId}`,
        tone: 'neutral',
        blocks: [{ kind: 'text', text: error.detail ? echoInput(error.detail, 200) : 'Nothing found.' }],
      };
    }
    const items = entries.flatMap((entry) => entry.custom_data);
    const shown = items.slice(0, MAX_ENTRIES);
    const blocks: ReplyBlock[] = shown.flatMap(entryBlocks);
    if (items.length > shown.length) {
      blocks.push({
        kind: 'text',
        text: `${plural(items.length - shown.length, 'more entry', 'more entries')} not shown: give a key to see one.`,
        style: 'italic',
      });
    }
    if (blocks.length === 0) blocks.push({ kind: 'text', text: 'No custom data.' });
    return {
      title: `🗂️ Custom data of trade #${tradeId} (${plural(items.length, 'entry', 'entries')})`,
      tone: 'info',
      blocks,
    };
  },
});
