import { describe, expect, it } from 'vitest';
import type { BotConfig } from '../src/config/schema.js';
import { UserInputError } from '../src/errors.js';
import { createFleet } from '../src/freqtrade/fleet.js';

function bot(name: string, port: number): BotConfig {
  return {
    name,
    api_url: `http://127.0.0.1:${port}`,
    username: 'freqtrader',
    password: 'secret-pass',
    ws_token: null,
    timeout_ms: 1_000,
    read_only: false,
  };
}

describe('Freqtrade fleet', () => {
  const fleet = createFleet([bot('Alpha', 8081), bot('beta', 8082), bot('gamma.futures', 8083)]);

  it('lists bot names in config order', () => {
    expect(fleet.names).toEqual(['Alpha', 'beta', 'gamma.futures']);
    expect(fleet.all().map((client) => client.name)).toEqual(['Alpha', 'beta', 'gamma.futures']);
  });

  it('finds a bot by name whatever its case, with its own base URL', () => {
    expect(fleet.get('alpha').name).toBe('Alpha');
    expect(fleet.get('BETA').baseUrl).toBe('http://127.0.0.1:8082');
    expect(fleet.get('Gamma.Futures')).toBe(fleet.get('gamma.futures'));
    expect(fleet.has('ALPHA')).toBe(true);
    expect(fleet.has('delta')).toBe(false);
  });

  it('refuses an unknown bot with a UserInputError listing the configured bots', () => {
    expect(() => fleet.get('delta')).toThrow(UserInputError);
    expect(() => fleet.get('delta')).toThrow(
      'Unknown bot "delta". Configured bots: Alpha, beta, gamma.futures',
    );
  });

  it('does not let callers change its name list', () => {
    fleet.names.push('mallory');
    fleet.all().pop();
    expect(fleet.names).toEqual(['Alpha', 'beta', 'gamma.futures']);
    expect(fleet.all()).toHaveLength(3);
  });
});
