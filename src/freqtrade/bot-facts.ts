/**
 * What notifications need to know about each bot beyond the websocket payload: whether it trades
 * in dry run (Freqtrade's messages carry the exchange but not that). Read from /show_config when
 * the bot's websocket (re)connects, kept until the next connect; a failed read keeps what was known.
 */
import type { Fleet } from './fleet.js';

export interface BotFacts {
  /** Reads the bot's /show_config again; never throws. */
  refresh(bot: string): Promise<void>;
  /** True for dry run, false for live, undefined until /show_config has answered once. */
  dryRun(bot: string): boolean | undefined;
}

export function createBotFacts(fleet: Fleet): BotFacts {
  const dryRun = new Map<string, boolean>();
  return {
    async refresh(bot) {
      try {
        const config = await fleet.get(bot).showConfig();
        dryRun.set(bot, config.dry_run);
      } catch {
        // The client logged it; the marker keeps its last known value.
      }
    },
    dryRun(bot) {
      return dryRun.get(bot);
    },
  };
}
