/**
 * Fleet view details (issue 17): the joined `bot=all` reply carries no 🔄 Refresh button (one bot's
 * reply keeps its own), and Discord's `bot` autocomplete offers `all` for the commands that accept
 * it (`acrossBots`), and only for those. Telegram has no autocomplete.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { type DiscordHarness, GUILD, startDiscordHarness } from './support/discord-harness.js';
import { type Harness, startHarness } from './support/harness.js';

let harness: Harness | undefined;
let discordHarness: DiscordHarness | undefined;
let second: FakeFreqtrade | undefined;
afterEach(async () => {
  await harness?.close();
  await discordHarness?.close();
  await second?.close();
  harness = undefined;
  discordHarness = undefined;
  second = undefined;
});

/** The labels of a Telegram message's inline buttons. */
function buttonLabels(markup: unknown): string[] {
  const rows = (markup as { inline_keyboard?: Array<Array<{ text: string }>> } | undefined)?.inline_keyboard;
  return (rows ?? []).flat().map((button) => button.text);
}

describe('the joined bot=all reply', () => {
  it('has no Refresh button, while one bot’s reply keeps its own', async () => {
    second = await startFakeFreqtrade({ botName: 'second', password: 'second-pass' });
    harness = await startHarness({
      extraBots: [{ name: 'second', api_url: second.url, username: 'freqtrader', password: 'second-pass' }],
    });
    const [one] = await harness.say('/count bot=main');
    expect(buttonLabels(one?.reply_markup)).toEqual(['🔄 Refresh']);
    for (const line of ['/count bot=all', '/count all', '/status bot=all', '/balance all']) {
      const [joined] = await harness.say(line);
      expect(joined?.text).toContain('all bots (2/2 answered)');
      expect(buttonLabels(joined?.reply_markup)).toEqual([]);
    }
  });
});

describe('Discord bot autocomplete', () => {
  it('offers all first for commands that answer for every bot, and not for others', async () => {
    discordHarness = await startDiscordHarness({ twoBots: true });
    const h = discordHarness;
    expect(await h.autocomplete('status', { name: 'bot', value: '' })).toEqual([
      { name: 'all (every bot of this chat at once)', value: 'all' },
      { name: 'main', value: 'main' },
      { name: 'second', value: 'second' },
    ]);
    expect(await h.autocomplete('balance', { name: 'bot', value: 'al' })).toEqual([
      { name: 'all (every bot of this chat at once)', value: 'all' },
    ]);
    // Typing a bot's name does not offer all; a command that changes state never does.
    expect(await h.autocomplete('count', { name: 'bot', value: 'sec' })).toEqual([
      { name: 'second', value: 'second' },
    ]);
    expect(await h.autocomplete('forceexit', { name: 'bot', value: '' })).toEqual([
      { name: 'main', value: 'main' },
      { name: 'second', value: 'second' },
    ]);
    // The option says so where it applies.
    const registered = h.discord.registeredCommands(GUILD);
    const botOption = (name: string) => {
      const command = registered.find((entry) => entry['name'] === name);
      const options = (command?.['options'] ?? []) as Array<Record<string, unknown>>;
      return options.find((option) => option['name'] === 'bot');
    };
    expect(botOption('status')?.['description']).toContain('or all of them');
    expect(botOption('forceexit')?.['description']).not.toContain('all');
    // Choosing it runs the fleet view.
    const { view } = await h.command('count', { bot: 'all' });
    expect(JSON.stringify(view.original)).toContain('all bots (2/2 answered)');
  });
});
