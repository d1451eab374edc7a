/*
 * /marketdir: Freqtrade's own Telegram bot sets or shows the strategy's `market_direction`, but its
 * REST API has no endpoint for it, so no outside tool can. Rather than leave the command out without
 * a word, it says so, and where the setting can be changed.
 */
import { z } from 'zod';
import { defineCommand } from '../types.js';

/** Why /marketdir cannot be done here: shown by the command and by /help marketdir. */
export const MARKETDIR_UNSUPPORTED =
  "Freqtrade's REST API has no endpoint for the market direction, so /marketdir only works in Freqtrade's own Telegram bot (it is not persisted there either: a restart resets it).";

export const marketdirCommand = defineCommand({
  name: 'marketdir',
  order: 1_010,
  description: 'Not available: Freqtrade has no REST endpoint for the market direction',
  usage: '/marketdir [direction]',
  role: 'viewer',
  needsBot: false,
  // Freqtrade's form is `/marketdir [long|short|even|none]`: any words are taken and answered the same way.
  args: z.object({ direction: z.array(z.string()).optional() }),
  async run() {
    return {
      title: '🧭 Market direction',
      tone: 'neutral',
      blocks: [{ kind: 'text', text: MARKETDIR_UNSUPPORTED }],
    };
  },
});
