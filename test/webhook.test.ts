/**
 * The webhook platform's own behaviour beyond the notification contract: Slack's Block Kit body
 * and its 1-a-second pace, each receiver's 429 turned into DeliveryError.retryAfterMs, errors
 * that name the webhook and never its URL, and the URL handled as a secret in the config.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { collectSecrets, redactConfig } from '../src/config/load.js';
import { TONE_COLORS } from '../src/discord/render.js';
import { DeliveryError } from '../src/errors.js';
import { CONFIG_SECRET_KEYS } from '../src/main.js';
import { webhookSchema } from '../src/webhook/config.js';
import { renderSlackBody, renderWebhookBodies } from '../src/webhook/render.js';
import { createWebhookSender, retryAfterMsOf } from '../src/webhook/sender.js';
import { type FakeWebhook, startFakeWebhook } from './fakes/fake-webhook.js';
import { parseConfig } from './support/config.js';
import { type NotificationHarness, startNotificationHarness } from './contract/notification-harness.js';
import { until } from './support/harness.js';

const SLACK_PATH = '/slack/T000/B000/slack-secret-xyz';
const DISCORD_PATH = '/discord/1100000000000000002/discord-secret-xyz';

const webhook = (receiver: FakeWebhook, path: string, format: 'discord' | 'slack' | 'json') =>
  webhookSchema.parse({ name: `ops-${format}`, url: `${receiver.url}${path}`, format });

/** The DeliveryError a send rejected with. */
async function deliveryErrorOf(send: Promise<void>): Promise<DeliveryError> {
  const error = await send.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

let receiver: FakeWebhook | undefined;
let harness: NotificationHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await receiver?.close();
  receiver = undefined;
});

describe('webhook bodies', () => {
  it('writes Slack Block Kit: the title in bold, the text in sections, a plain fallback, markup escaped', () => {
    const body = renderSlackBody({
      title: 'Exited SOL/USDT',
      blocks: [{ kind: 'text', text: 'profit <b>+2.10%</b> & more' }],
    });
    expect(body).toEqual({
      text: 'Exited SOL/USDT\n\nprofit &lt;b&gt;+2.10%&lt;/b&gt; &amp; more',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*Exited SOL/USDT*' } },
        { type: 'section', text: { type: 'mrkdwn', text: 'profit &lt;b&gt;+2.10%&lt;/b&gt; &amp; more' } },
      ],
    });
  });

  it('splits a long Slack text into sections of at most 3000 characters', () => {
    const line = 'x'.repeat(99);
    const body = renderSlackBody({ blocks: [{ kind: 'text', text: Array(100).fill(line).join('\n') }] });
    const sections = body['blocks'] as Array<{ text: { text: string } }>;
    expect(sections.length).toBeGreaterThan(3);
    for (const section of sections) expect(section.text.text.length).toBeLessThanOrEqual(3000);
  });

  it('writes Discord embeds with the adapter colours and no buttons, which channel webhooks cannot carry', () => {
    const bodies = renderWebhookBodies(
      {
        title: 'Entered SOL/USDT',
        tone: 'entry',
        blocks: [{ kind: 'text', text: 'long' }],
        buttons: [[{ label: 'Refresh', action: 'refresh' }]],
      },
      'discord',
    );
    expect(bodies).toHaveLength(1);
    expect(bodies[0]?.['components']).toBeUndefined();
    expect(JSON.stringify(bodies[0])).toContain(`"color":${TONE_COLORS.entry}`);
  });

  it('writes the neutral notification as JSON', () => {
    const [body] = renderWebhookBodies(
      { title: 'Warning', tone: 'warning', silent: true, blocks: [{ kind: 'text', text: 'disk low' }] },
      'json',
    );
    expect(body).toEqual({
      title: 'Warning',
      tone: 'warning',
      silent: true,
      text: 'Warning\n\ndisk low',
      blocks: [{ kind: 'text', text: 'disk low' }],
    });
  });
});

describe('webhook delivery errors', () => {
  it("reads the wait from Discord's JSON retry_after and from Slack's Retry-After header", async () => {
    expect(retryAfterMsOf('{"message":"You are being rate limited.","retry_after":0.35}', '1')).toBe(350);
    expect(retryAfterMsOf('rate_limited', '2')).toBe(2000);
    expect(retryAfterMsOf('rate_limited', null)).toBeUndefined();

    receiver = await startFakeWebhook();
    receiver.rateLimitNext(DISCORD_PATH, 1, 0.25);
    const discordError = await deliveryErrorOf(
      createWebhookSender(webhook(receiver, DISCORD_PATH, 'discord'))({
        blocks: [{ kind: 'text', text: 'a' }],
      }),
    );
    expect(discordError.retryAfterMs).toBe(250);
    expect(discordError.permanent).toBe(false);

    receiver.rateLimitNext(SLACK_PATH, 1, 2);
    const slackError = await deliveryErrorOf(
      createWebhookSender(webhook(receiver, SLACK_PATH, 'slack'))({ blocks: [{ kind: 'text', text: 'a' }] }),
    );
    expect(slackError.retryAfterMs).toBe(2000);
    expect(slackError.message).toBe('webhook "ops-slack" (slack) delivery failed: 429 Too Many Requests');
  });

  it('names the webhook and never its URL; a deleted webhook is permanent, a refused body is dropped', async () => {
    receiver = await startFakeWebhook();
    receiver.remove(DISCORD_PATH);
    const gone = await deliveryErrorOf(
      createWebhookSender(webhook(receiver, DISCORD_PATH, 'discord'))({
        blocks: [{ kind: 'text', text: 'a' }],
      }),
    );
    expect(gone.permanent).toBe(true);
    expect(gone.message).toBe('webhook "ops-discord" (discord) delivery failed: 404 Not Found');

    receiver.refuseNext(SLACK_PATH, 1);
    const refused = await deliveryErrorOf(
      createWebhookSender(webhook(receiver, SLACK_PATH, 'slack'))({ blocks: [{ kind: 'text', text: 'a' }] }),
    );
    expect(refused.dropMessage).toBe(true);

    const unreachable = await deliveryErrorOf(
      createWebhookSender(
        webhookSchema.parse({ name: 'down', url: 'http://127.0.0.1:9/hook-secret', format: 'json' }),
      )({
        blocks: [{ kind: 'text', text: 'a' }],
      }),
    );
    expect(unreachable.permanent).toBe(false);
    for (const error of [gone, refused, unreachable]) {
      expect(error.message).not.toContain('secret');
      expect(error.message).not.toContain('127.0.0.1');
    }
  });
});

describe('webhook config', () => {
  const bots = [{ name: 'main', api_url: 'http://127.0.0.1:8080', username: 'u', password: 'p4ssword' }];

  it('takes the URL from the environment and treats it as a secret', async () => {
    const { applyEnvOverrides } = await import('../src/config/load.js');
    const raw = applyEnvOverrides(
      {
        bots,
        webhooks: [{ name: 'ops-slack', format: 'slack', bots: ['main'], notifications: { entry: 'off' } }],
      },
      { FTCHATOPS__WEBHOOKS__0__URL: 'https://hooks.slack.com/services/T1/B1/envsecret' },
    );
    const config = parseConfig(raw);
    expect(config.chats).toEqual([
      {
        platform: 'webhook',
        chatId: 'ops-slack',
        threadId: null,
        notifications: { entry: 'off' },
        bots: ['main'],
        configPath: ['webhooks', 0],
      },
    ]);
    expect(collectSecrets(config, CONFIG_SECRET_KEYS)).toContain(
      'https://hooks.slack.com/services/T1/B1/envsecret',
    );
    expect(JSON.stringify(redactConfig(config, CONFIG_SECRET_KEYS))).not.toContain('envsecret');
  });

  it('names a bad format, a duplicate name and an unknown bot', () => {
    const attempt = () =>
      parseConfig({
        bots,
        webhooks: [
          { name: 'a', url: 'https://example.com/1', format: 'teams' },
          { name: 'b', url: 'https://example.com/2', format: 'json', bots: ['nope'] },
          { name: 'b', url: 'https://example.com/3', format: 'json' },
        ],
      });
    expect(attempt).toThrow(/webhooks\.0\.format: expected discord, slack or json/);
    expect(() =>
      parseConfig({
        bots,
        webhooks: [
          { name: 'b', url: 'https://example.com/2', format: 'json', bots: ['nope'] },
          { name: 'b', url: 'https://example.com/3', format: 'json' },
        ],
      }),
    ).toThrow(/webhooks\.1\.name: duplicate webhook name "b"/);
    expect(() =>
      parseConfig({
        bots,
        webhooks: [{ name: 'b', url: 'https://example.com/2', format: 'json', bots: ['nope'] }],
      }),
    ).toThrow(/webhooks\.0\.bots\.0: unknown bot "nope"/);
  });
});

describe('webhook platform in the app', () => {
  it('paces a Slack webhook at one post a second, so Slack never has to say 429', async () => {
    receiver = await startFakeWebhook();
    const slack = receiver;
    harness = await startNotificationHarness({
      name: 'slack',
      async startPlatform() {
        return {
          config: () => ({
            webhooks: [{ name: 'ops-slack', url: `${slack.url}${SLACK_PATH}`, format: 'slack' }],
          }),
          keyOf: () => 'webhook:ops-slack',
          delivered: () =>
            slack.postsTo(SLACK_PATH).map((post) => ({ text: JSON.stringify(post.body), silent: undefined })),
          rateLimitNext: () => undefined,
          attempts: () => slack.requests.length,
          secrets: [SLACK_PATH],
          everythingReceived: () => '',
          close: async () => undefined,
        };
      },
    });
    await harness.connected();
    for (let i = 0; i < 3; i += 1) harness.freqtrade.emit({ type: 'strategy_msg', msg: `paced #${i}` });
    await until(() => harness!.textOf('loud').includes('paced #2'), 8000, 'all three');
    expect(slack.count429).toBe(0);
    const posts = slack.postsTo(SLACK_PATH);
    for (let i = 1; i < posts.length; i += 1) {
      expect((posts[i]?.at ?? 0) - (posts[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    }
  });
});
