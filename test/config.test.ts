import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyEnvOverrides, collectSecrets, redactConfig } from '../src/config/load.js';
import { enabledTelegram } from '../src/telegram/config.js';
import { loadConfig, parseConfig } from './support/config.js';
import { ConfigError } from '../src/errors.js';

const validBot = { name: 'main', api_url: 'http://127.0.0.1:8080', username: 'u', password: 'p4ssword' };
const base = () => ({ bots: [{ ...validBot }] });

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('config validation', () => {
  it('accepts a minimal config and fills defaults', () => {
    const config = parseConfig(base());
    expect(enabledTelegram(config)).toBeUndefined();
    expect(config.store.path).toBe('./data/state.json');
    expect(config.bots[0]?.timeout_ms).toBe(10_000);
    expect(config.log_level).toBe('info');
  });

  it('accepts a disabled platform with no other keys', () => {
    const config = parseConfig({ ...base(), telegram: { enabled: false }, discord: { enabled: false } });
    expect(enabledTelegram(config)).toBeUndefined();
  });

  it('strips a trailing slash from api_url and keeps chat ids as strings', () => {
    const config = parseConfig({
      bots: [{ ...validBot, api_url: 'http://127.0.0.1:8080/' }],
      telegram: { enabled: true, token: '123:abc', chats: [{ chat_id: -1001234 }] },
    });
    expect(config.bots[0]?.api_url).toBe('http://127.0.0.1:8080');
    expect(enabledTelegram(config)?.chats[0]?.chat_id).toBe('-1001234');
  });

  const broken: Array<[string, unknown, string[]]> = [
    ['no bots at all', {}, ['bots: required']],
    ['an empty bot list', { bots: [] }, ['bots: list at least one Freqtrade bot']],
    ['bots is not a list', { bots: { name: 'x' } }, ['bots:']],
    ['a bot name with spaces', { bots: [{ ...validBot, name: 'my bot' }] }, ['bots.0.name']],
    ['a bot called "all" (reserved for bot=all)', { bots: [{ ...validBot, name: 'All' }] }, ['bots.0.name']],
    [
      'duplicate bot names',
      { bots: [validBot, { ...validBot, name: 'MAIN' }] },
      ['bots.1.name: duplicate bot name'],
    ],
    [
      'a bad api_url',
      { bots: [{ ...validBot, api_url: 'localhost:8080' }] },
      ['bots.0.api_url: expected an http'],
    ],
    ['an ftp api_url', { bots: [{ ...validBot, api_url: 'ftp://x' }] }, ['bots.0.api_url']],
    ['a numeric password', { bots: [{ ...validBot, password: 1234 }] }, ['bots.0.password']],
    ['a missing username', { bots: [{ ...validBot, username: undefined }] }, ['bots.0.username: required']],
    ['a timeout that is a string', { bots: [{ ...validBot, timeout_ms: '10s' }] }, ['bots.0.timeout_ms']],
    [
      'telegram enabled without a token',
      { ...base(), telegram: { enabled: true, chats: [] } },
      ['telegram.token: required'],
    ],
    [
      'a malformed telegram token',
      { ...base(), telegram: { enabled: true, token: 'abc' } },
      ['telegram.token'],
    ],
    [
      'telegram enabled as a string',
      { ...base(), telegram: { enabled: 'yes', token: '1:a' } },
      ['telegram.enabled'],
    ],
    [
      'a chat id that is not numeric',
      { ...base(), telegram: { enabled: true, token: '1:a', chats: [{ chat_id: 'my-group' }] } },
      ['telegram.chats.0.chat_id'],
    ],
    [
      'an unknown platform prefix in access',
      { ...base(), access: { admins: ['slack:123'], viewers: [] } },
      ['access.admins.0: expected "<platform>:<user id>"'],
    ],
    [
      'a user id that is not a number',
      { ...base(), access: { viewers: ['telegram:@bob'] } },
      ['access.viewers.0'],
    ],
    [
      'a user who is both admin and viewer',
      { ...base(), access: { admins: ['telegram:1'], viewers: ['telegram:1'] } },
      ['access.viewers.0: "telegram:1" is also an admin'],
    ],
    ['an unknown top-level key', { ...base(), telegarm: {} }, ['telegarm: unknown key']],
    ['an unknown bot key', { bots: [{ ...validBot, api_ur1: 'x' }] }, ['bots.0.api_ur1: unknown key']],
    ['a bad log level', { ...base(), log_level: 'verbose' }, ['log_level']],
    [
      'discord enabled without application_id',
      { ...base(), discord: { enabled: true, token: 'x' } },
      ['discord.application_id: required'],
    ],
    [
      'gemini enabled without secret',
      { ...base(), gemini: { enabled: true, api_key: 'k' } },
      ['gemini.api_secret'],
    ],
    [
      'a bad notification level',
      {
        ...base(),
        telegram: { enabled: true, token: '1:a', chats: [{ chat_id: 1, notifications: { entry: 'loud' } }] },
      },
      ['telegram.chats.0.notifications.entry'],
    ],
    [
      'a chat that listens to an unknown bot',
      { ...base(), telegram: { enabled: true, token: '1:a', chats: [{ chat_id: 1, bots: ['nope'] }] } },
      ['telegram.chats.0.bots.0: unknown bot "nope"'],
    ],
  ];

  it.each(broken)('rejects %s and names the key', (_label, raw, expected) => {
    const problems = problemsOf(raw);
    for (const fragment of expected) {
      expect(
        problems.some((problem) => problem.includes(fragment)),
        `${fragment} in ${problems.join(' | ')}`,
      ).toBe(true);
    }
  });

  it('names every wrong key at once, not just the first', () => {
    const problems = problemsOf({
      bots: [{ ...validBot, api_url: 'nope', password: 5 }],
      telegram: { enabled: true, token: 'bad' },
      log_level: 'loud',
    });
    expect(problems.length).toBeGreaterThanOrEqual(4);
    expect(problems.join('\n')).toMatch(
      /bots\.0\.api_url[\s\S]*bots\.0\.password[\s\S]*telegram\.token[\s\S]*log_level/,
    );
  });

  it('names the allowed values, also inside a per-exit-reason map', () => {
    const problems = problemsOf({
      ...base(),
      telegram: {
        enabled: true,
        token: '123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678',
        chats: [{ chat_id: '1', notifications: { entry: 'loud', exit: { roi: 'loud' }, exit_fill: 'loud' } }],
      },
      log_level: 'loud',
    });
    expect(problems).toEqual([
      'telegram.chats.0.notifications.entry: expected on, silent or off',
      'telegram.chats.0.notifications.exit.roi: expected on, silent or off',
      'telegram.chats.0.notifications.exit_fill: expected on, silent or off',
      'log_level: expected fatal, error, warn, info, debug, trace or silent',
    ]);
  });
});

describe('config file loading', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ftc-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('allows // comments and trailing commas, as Freqtrade users write them', async () => {
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      `{\n // my bots\n "bots": [{"name": "main", "api_url": "http://127.0.0.1:8080", "username": "u", "password": "pw12",},],\n}`,
    );
    const config = await loadConfig(path, {});
    expect(config.bots[0]?.name).toBe('main');
  });

  it('says how to create a config when the file is missing', async () => {
    await expect(loadConfig(join(dir, 'absent.json'), {})).rejects.toThrow(/cp config\.example\.json/);
  });

  it('reports a JSON syntax error with its line', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, '{\n "bots": [\n  {"name": "a" "x": 1}\n ]\n}');
    await expect(loadConfig(path, {})).rejects.toThrow(/line 3/);
  });

  it('takes secrets from FTCHATOPS__ environment variables', async () => {
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({ bots: [{ ...validBot, password: 'from-file' }], telegram: { enabled: false } }),
    );
    const config = await loadConfig(path, {
      FTCHATOPS__BOTS__0__PASSWORD: 'from-env-pw',
      FTCHATOPS__TELEGRAM__ENABLED: 'true',
      FTCHATOPS__TELEGRAM__TOKEN: '42:envtoken',
      FTCHATOPS__BOTS__0__TIMEOUT_MS: '2500',
    });
    expect(config.bots[0]?.password).toBe('from-env-pw');
    expect(config.bots[0]?.timeout_ms).toBe(2500);
    expect(enabledTelegram(config)?.token).toBe('42:envtoken');
  });

  it('keeps numeric-looking secrets as strings', () => {
    const raw = applyEnvOverrides({ bots: [{ password: 'x' }] }, { FTCHATOPS__BOTS__0__PASSWORD: '123456' });
    expect(raw).toEqual({ bots: [{ password: '123456' }] });
  });
});

describe('secret handling', () => {
  const config = parseConfig({
    bots: [{ ...validBot, password: 'CANARY-pw-1', ws_token: 'CANARY-ws-2' }],
    telegram: { enabled: true, token: '123:CANARYtok3' },
    gemini: { enabled: true, api_key: 'CANARY-key-4', api_secret: 'CANARY-secret-5' },
  });

  it('redacts every secret when the config is printed', () => {
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toMatch(/CANARY/);
    expect(printed).toContain('[REDACTED]');
    expect(printed).toContain('http://127.0.0.1:8080');
  });

  it('collects every secret value for the log scrubber', () => {
    expect([...collectSecrets(config)].sort()).toEqual(
      ['123:CANARYtok3', 'CANARY-key-4', 'CANARY-pw-1', 'CANARY-secret-5', 'CANARY-ws-2'].sort(),
    );
  });
});
