import { afterEach, describe, expect, it } from 'vitest';
import { startFakeFreqtrade, type FakeFreqtrade } from './fakes/fake-freqtrade.js';
import { CANARY, closedPort, type Harness, startHarness, until, VIEWER } from './support/harness.js';

let harness: Harness | undefined;
let second: FakeFreqtrade | undefined;
afterEach(async () => {
  await harness?.close();
  await second?.close();
  harness = undefined;
  second = undefined;
});

/** Sends a command, presses Confirm on the prompt, and returns the prompt and the final text. */
async function confirmed(h: Harness, command: string) {
  const [prompt] = await h.say(command);
  if (!prompt) throw new Error('no prompt');
  await h.press(prompt, 'Confirm');
  await until(() => (h.telegram.message(prompt.chat_id, prompt.message_id)?.edits ?? 0) > 0, 5000, 'edit');
  return { prompt, result: h.telegram.message(prompt.chat_id, prompt.message_id)?.text ?? '' };
}

const calls = (h: Harness) => h.stateChangingCalls().map((call) => `${call.method} ${call.path}`);

describe('admin commands through Telegram', () => {
  it('/forcelong asks, then enters long with the given rate', async () => {
    harness = await startHarness();
    harness.freqtrade.setCurrentRate('ETH/USDT', 2000);
    const { prompt, result } = await confirmed(harness, '/forcelong eth/usdt 1999.5');
    expect(prompt.text).toContain('Open a long trade on ETH/USDT?');
    expect(prompt.text).toContain('1999.5');
    expect(calls(harness)).toEqual(['POST /forceenter']);
    const body = harness.freqtrade.requests.find((r) => r.path === '/forceenter')?.body;
    expect(body).toMatchObject({ pair: 'ETH/USDT', side: 'long', price: 1999.5 });
    expect(result).toContain('Long entry placed');
  });

  it('/forceshort on a spot bot says shorting is not allowed and sends nothing', async () => {
    harness = await startHarness();
    const [reply] = await harness.say('/forceshort BTC/USDT');
    expect(reply?.text).toMatch(/shorting is not allowed/);
    expect(calls(harness)).toEqual([]);
  });

  it('/forcelong with no pair offers the whitelist as buttons', async () => {
    harness = await startHarness();
    const [picker] = await harness.say('/forcelong');
    const markup = JSON.stringify(picker?.reply_markup);
    for (const pair of harness.freqtrade.state.whitelist.slice(0, 3)) expect(markup).toContain(pair);
  });

  it('/delete, /cancel_open_order and /stop ask first; /reload_trade, /start, /pause and /reload_config act at once', async () => {
    harness = await startHarness();
    const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 100 });
    await harness.say(`/reload_trade ${id}`);
    await harness.say('/pause');
    await harness.say('/start');
    await harness.say('/reload_config');
    expect(calls(harness)).toEqual([
      'POST /trades/1/reload',
      'POST /pause',
      'POST /start',
      'POST /reload_config',
    ]);

    harness.freqtrade.addOpenOrder(id, { amount: 0.1, rate: 110 });
    const coo = await confirmed(harness, `/coo ${id}`);
    expect(coo.prompt.text).toContain('Cancel the open order of trade #1 BTC/USDT?');
    const del = await confirmed(harness, `/delete ${id}`);
    expect(del.prompt.text).toContain('Delete trade #1 BTC/USDT?');
    const stop = await confirmed(harness, '/stop');
    expect(stop.prompt.text).toContain('Stop the trader?');
    expect(calls(harness).slice(4)).toEqual([
      'DELETE /trades/1/open-order',
      'DELETE /trades/1',
      'POST /stop',
    ]);
  });

  it('/unlock removes a lock by id or every lock of a pair', async () => {
    harness = await startHarness();
    await harness.say('/lock BTC/USDT 2h one');
    await harness.say('/lock ETH/USDT 2h two');
    const [byId] = await harness.say('/unlock 1');
    expect(byId?.text).toContain('Removed 1 lock for 1.');
    // What remains locked follows, as in Freqtrade's own /unlock.
    expect(byId?.text).toContain('Still locked (1):');
    expect(byId?.text).toContain('ETH/USDT');
    const [byPair] = await harness.say('/unlock ETH/USDT');
    expect(byPair?.text).toContain('Removed 1 lock for ETH/USDT.');
    expect(byPair?.text).toContain('No locks remain.');
    const [none] = await harness.say('/unlock 99');
    expect(none?.text).toContain('There is no lock with id 99.');
    expect(calls(harness)).toEqual(['POST /locks', 'POST /locks', 'DELETE /locks/1', 'POST /locks/delete']);
  });

  it('/blacklist adds pairs for admins, shows the list to viewers, and /bl_delete removes', async () => {
    harness = await startHarness();
    const [added] = await harness.say('/blacklist DOGE/USDT XRP/USDT');
    expect(added?.text).toContain('DOGE/USDT');
    const [shown] = await harness.say('/blacklist', { userId: VIEWER });
    expect(shown?.text).toContain('XRP/USDT');
    const [refused] = await harness.say('/blacklist SHIB/USDT', { userId: VIEWER });
    expect(refused?.text).toContain('Only admins can add pairs to the blacklist.');
    const [removed] = await harness.say('/bl_delete DOGE/USDT');
    expect(removed?.text).not.toContain('DOGE/USDT');
    expect(calls(harness)).toEqual(['POST /blacklist', 'DELETE /blacklist']);
  });

  it('a viewer cannot run any admin command', async () => {
    harness = await startHarness();
    harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 100 });
    const [first] = await harness.say('/forcelong BTC/USDT', { userId: VIEWER });
    expect(first?.text).toBe('You are not allowed to do that here.');
    // Further refusals within a minute stay silent (rate-limited), and still change nothing.
    for (const command of [
      '/stop',
      '/start',
      '/pause',
      '/delete 1',
      '/coo 1',
      '/lock BTC/USDT 1h',
      '/unlock 1',
      '/bl_delete X/Y',
      '/reload_config',
      '/reload_trade 1',
      '/audit',
    ]) {
      const replies = await harness.say(command, { userId: VIEWER, replies: 0 });
      expect(replies, command).toEqual([]);
    }
    expect(calls(harness)).toEqual([]);
  });

  it('/audit lists admin actions and refusals', async () => {
    harness = await startHarness();
    await harness.say('/pause');
    await harness.say('/stop', { userId: VIEWER });
    const [audit] = await harness.say('/audit kind=all');
    expect(audit?.text).toMatch(/pause[\s\S]*ok/);
    expect(audit?.text).toMatch(/stop[\s\S]*denied/);
  });

  it('refuses state changes on a read_only bot but still reads it', async () => {
    harness = await startHarness();
    // Same fakes, but restart the app with the bot marked read_only.
    await harness.app.stop();
    const { startApp } = await import('../src/main.js');
    const { createSilentLogger } = await import('../src/logger.js');
    const bots = harness.config.bots.map((bot) => ({ ...bot, read_only: true }));
    harness.app = await startApp({ config: { ...harness.config, bots }, logger: createSilentLogger() });
    const [reply] = await harness.say('/pause');
    expect(reply?.text).toContain('main is read-only in this configuration');
    const [count] = await harness.say('/count');
    expect(count?.text).toMatch(/0/);
    expect(calls(harness)).toEqual([]);
  });
});

describe('many bots', () => {
  it('every command takes bot=<name>; /use sets the chat default; /bots shows both', async () => {
    second = await startFakeFreqtrade({ password: CANARY.password, wsToken: CANARY.wsToken, botName: 'alt' });
    const downUrl = `http://127.0.0.1:${await closedPort()}`;
    harness = await startHarness({
      config: {
        bots: [
          {
            name: 'main',
            api_url: downUrl,
            username: 'freqtrader',
            password: CANARY.password,
            timeout_ms: 2000,
          },
          {
            name: 'alt',
            api_url: second.url,
            username: 'freqtrader',
            password: CANARY.password,
            ws_token: CANARY.wsToken,
          },
        ],
      },
    });
    // The harness's own fake is unused here: "main" points at a closed port.
    const s = second;
    s.addTrade({ pair: 'SOL/USDT', openRate: 100, currentRate: 101 });
    const [viaArg] = await harness.say('/status bot=alt');
    expect(viaArg?.text).toContain('[alt]');
    expect(viaArg?.text).toContain('SOL/USDT');
    const [down] = await harness.say('/status');
    expect(down?.text).toContain(`main is unreachable (connection refused at ${downUrl}`);
    await harness.say('/use alt');
    const [afterUse] = await harness.say('/status');
    expect(afterUse?.text).toContain('SOL/USDT');
    const [bots] = await harness.say('/bots');
    expect(bots?.text).toMatch(/main[\s\S]*unreachable/);
    expect(bots?.text).toMatch(/▶ alt/);
    const [unknown] = await harness.say('/count bot=nope');
    expect(unknown?.text).toContain('Unknown bot "nope"');
  });
});

describe('notification settings from chat', () => {
  it('/notify shows the levels and where they come from; bots, reset and /unmute work', async () => {
    harness = await startHarness({
      telegram: {
        chats: [{ chat_id: '-100123', topic_id: null, notifications: { entry: 'silent' } }],
      },
    });
    const [shown] = await harness.say('/notify');
    expect(shown?.text).toMatch(/entry\s+silent\s+config/);
    expect(shown?.text).toMatch(/exit_fill\s+on\s+default/);
    expect(shown?.text).toContain('Not muted.');

    await harness.say('/notify exit_fill off');
    const [changed] = await harness.say('/notify');
    expect(changed?.text).toMatch(/exit_fill\s+off\s+chat/);

    const [bots] = await harness.say('/notify bots main');
    expect(bots?.text).toContain('This chat now hears from main.');
    const [unknown] = await harness.say('/notify bots nope');
    expect(unknown?.text).toContain('Unknown bot "nope"');

    await harness.say('/mute 2h');
    const [muted] = await harness.say('/notify');
    expect(muted?.text).toMatch(/Muted until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    const [unmuted] = await harness.say('/unmute');
    expect(unmuted?.text).toContain('Notifications are on again.');
    expect(harness.app.store.chat('telegram:-100123').muted_until_ms).toBeNull();

    await harness.say('/notify reset');
    const state = harness.app.store.chat('telegram:-100123');
    expect(state.notifications).toEqual({});
    expect(state.bots).toBeNull();

    const [bad] = await harness.say('/notify entry loud');
    expect(bad?.text).toContain('The level must be on, silent or off.');
    expect(bad?.text).toContain('Usage: /notify');
  });
});
