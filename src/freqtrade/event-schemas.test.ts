import { describe, expect, it } from 'vitest';
import {
  type BotEvent,
  FREQTRADE_MESSAGE_TYPES,
  type FreqtradeMessage,
  parseFrame,
} from './event-schemas.js';

// Frames from shared/freqtrade-api-reference.md §3.4 / §4 and freqtrade-api.md (2026.3 unless noted).
const FRAMES: Record<(typeof FREQTRADE_MESSAGE_TYPES)[number], string> = {
  entry: `{"trade_id":1,"type":"entry","buy_tag":"long_signal_01","enter_tag":"long_signal_01","exchange":"Binance","pair":"ETH/BTC","leverage":1.0,"direction":"Long",
 "limit":1.099e-05,"order_rate":1.099e-05,"open_rate":1.099e-05,"order_type":"limit","stake_amount":0.01465333,"stake_currency":"BTC",
 "base_currency":"ETH","quote_currency":"BTC","fiat_currency":"USD","amount":1333.3333333333335,"open_date":"2022-09-01T04:00:00+00:00",
 "current_rate":1.099e-05,"sub_trade":false}`,
  entry_fill: `{"type": "entry_fill", "trade_id": 42, "buy_tag": "breakout", "enter_tag": "breakout", "exchange": "Binance",
 "pair": "ETH/USDT", "base_currency": "ETH", "quote_currency": "USDT", "leverage": 1.0, "direction": "Long",
 "limit": 3050.5, "order_rate": 3050.5, "open_rate": 3050.5, "order_type": "limit", "stake_amount": 100.0,
 "stake_currency": "USDT", "fiat_currency": "USD", "amount": 0.03278, "open_date": "2026-11-22T09:00:01.120000+00:00",
 "current_rate": 3051.2, "sub_trade": false}`,
  entry_cancel: `{"type":"entry_cancel","trade_id":7,"buy_tag":null,"enter_tag":null,"exchange":"Binance","pair":"SOL/USDT","base_currency":"SOL",
 "quote_currency":"USDT","leverage":null,"direction":"Long","limit":142.5,"order_rate":142.5,"open_rate":142.5,"order_type":"limit",
 "stake_amount":50.0,"stake_currency":"USDT","fiat_currency":null,"amount":0.35087719,"open_date":"2026-11-22 08:00:00",
 "current_rate":141.9,"sub_trade":false,"reason":"cancelled due to timeout"}`,
  exit: `{"type":"exit","trade_id":3,"exchange":"Binance","pair":"ETH/USDT","leverage":1.0,"direction":"Long","gain":"profit","limit":2.2,
 "order_rate":2.2,"order_type":"limit","amount":30.0,"open_rate":2.0,"close_rate":2.2,"current_rate":2.3,"profit_amount":5.685,
 "profit_ratio":0.09451372,"buy_tag":null,"enter_tag":null,"exit_reason":"roi","open_date":"2026-11-22T08:00:00+00:00",
 "close_date":"2026-11-22T10:30:00+00:00","stake_amount":60,"stake_currency":"USDT","base_currency":"ETH","quote_currency":"USDT",
 "fiat_currency":"USD","sub_trade":false,"cumulative_profit":0.0,"is_final_exit":false,"final_profit_ratio":null}`,
  exit_fill: `{"type":"exit_fill","trade_id":1,"exchange":"Binance","pair":"KEY/ETH","leverage":1.0,"direction":"Long","gain":"loss","limit":0.0003201,"order_rate":0.0003201,
 "order_type":"market","amount":1333.3333333333335,"open_rate":0.00075,"close_rate":0.0003201,"current_rate":null,"profit_amount":-0.05746268,
 "profit_ratio":-0.57405275,"buy_tag":"long_signal_01","enter_tag":"long_signal_01","exit_reason":"stop_loss","open_date":"2022-08-31T02:30:00+00:00",
 "close_date":"2022-09-01T05:00:00+00:00","stake_amount":1.0,"stake_currency":"ETH","base_currency":"KEY","quote_currency":"ETH","fiat_currency":null,
 "sub_trade":false,"cumulative_profit":-0.05746268,"final_profit_ratio":-0.57405275,"is_final_exit":true}`,
  exit_cancel: `{"type":"exit_cancel","trade_id":5,"exchange":"Binance","pair":"BTC/USDT","leverage":null,"direction":"Short","gain":"loss",
 "limit":0,"order_rate":0,"order_type":"limit","amount":0.001,"open_rate":65000.0,"current_rate":65200.0,"profit_amount":-0.2,
 "profit_ratio":-0.0031,"buy_tag":null,"enter_tag":null,"exit_reason":"exit_signal","open_date":"2026-11-22 06:00:00",
 "close_date":null,"stake_currency":"USDT","base_currency":"BTC","quote_currency":"USDT","fiat_currency":null,
 "reason":"cancelled on exchange","sub_trade":false,"stake_amount":65.0}`,
  status: '{"type":"status","status":"running"}',
  warning: '{"type":"warning","status":"Dry run is enabled. All trades are simulated."}',
  startup: '{"type":"startup","status":"*Exchange:* `binance`\\n*Stake per trade:* `100 USDT`"}',
  exception:
    '{"type":"exception","status":"*OperationalException:*\\n```\\nTraceback ...```\\n Issue `/start` if you think it is safe to restart."}',
  protection_trigger: `{"type": "protection_trigger", "id": 3, "pair": "XRP/USDT", "base_currency": "XRP", "lock_time": "2026-11-22 10:00:00",
 "lock_timestamp": 1763805600000, "lock_end_time": "2026-11-22 12:00:00", "lock_end_timestamp": 1763812800000,
 "reason": "StoplossGuard", "side": "*", "active": true}`,
  protection_trigger_global: `{"type":"protection_trigger_global","id":4,"pair":"*","base_currency":"","lock_time":"2026-11-22 10:00:00",
 "lock_timestamp":1763805600000,"lock_end_time":"2026-11-22 11:00:00","lock_end_timestamp":1763809200000,
 "reason":"MaxDrawdown","side":"*","active":true}`,
  strategy_msg: '{"type":"strategy_msg","msg":"RSI crossed 70 on BTC/USDT"}',
  whitelist: '{"type":"whitelist","data":["ETH/BTC","LTC/BTC","XRP/BTC","NEO/BTC"]}',
  new_candle: '{"type":"new_candle","data":["NEO/BTC","5m","spot"]}',
  analyzed_df: `{"type":"analyzed_df","data":{"key":["NEO/BTC","5m","spot"],"df":{"__type__":"dataframe","__value__":"{\\"columns\\":[\\"date\\",\\"open\\"],\\"index\\":[499],\\"data\\":[[1662675300000,0.000587]]}"},"la":"2022-09-08T22:14:41.457786+00:00"}}`,
};

function parsed(text: string): FreqtradeMessage {
  const result = parseFrame(text);
  if (!result.ok) throw new Error(`expected ok, got: ${result.error}`);
  return result.message;
}

function failure(text: string): string {
  const result = parseFrame(text);
  if (result.ok) throw new Error(`expected a failure for ${text}`);
  return result.error;
}

describe('parseFrame', () => {
  it.each(FREQTRADE_MESSAGE_TYPES.map((type) => [type]))('parses the reference %s frame', (type) => {
    expect(parsed(FRAMES[type]).type).toBe(type);
  });

  it('keeps the fields of an entry frame with their types', () => {
    const message = parsed(FRAMES.entry_fill);
    if (message.type !== 'entry_fill') throw new Error('wrong type');
    expect(message).toMatchObject({
      trade_id: 42,
      pair: 'ETH/USDT',
      direction: 'Long',
      open_rate: 3050.5,
      stake_amount: 100,
      stake_currency: 'USDT',
      amount: 0.03278,
      enter_tag: 'breakout',
    });
  });

  it('lets fields a newer server adds pass through', () => {
    const message = parsed('{"type":"status","status":"running","bot_name":"freqtrade","new_field":{"a":1}}');
    expect(message).toMatchObject({
      type: 'status',
      status: 'running',
      bot_name: 'freqtrade',
      new_field: { a: 1 },
    });
  });

  it('accepts a 2024.10 entry without order_rate and a null current_rate on exit_fill', () => {
    const entry = JSON.parse(FRAMES.entry) as Record<string, unknown>;
    delete entry.order_rate;
    const message = parsed(JSON.stringify(entry));
    expect(message.type).toBe('entry');
    expect('order_rate' in message).toBe(false);
    const fill = parsed(FRAMES.exit_fill);
    expect(fill).toMatchObject({ type: 'exit_fill', current_rate: null, exit_reason: 'stop_loss' });
  });

  it('accepts both shapes of exception: the worker notice and the ws error reply', () => {
    expect(parsed(FRAMES.exception)).toMatchObject({ type: 'exception' });
    expect(parsed('{"type":"exception","data":"Error processing request"}')).toMatchObject({
      type: 'exception',
      data: 'Error processing request',
    });
  });

  it('reports malformed JSON without throwing', () => {
    expect(failure('{"type": "entry",')).toMatch(/^malformed JSON frame: /);
    expect(failure('')).toMatch(/^malformed JSON frame/);
  });

  it('reports a frame that is not a JSON object', () => {
    expect(failure('[1,2]')).toBe('expected a JSON object frame, got an array');
    expect(failure('null')).toBe('expected a JSON object frame, got object');
    expect(failure('"entry"')).toBe('expected a JSON object frame, got string');
  });

  it('reports a frame without a type and one of an unknown type', () => {
    expect(failure('{"status":"running"}')).toBe('frame has no string "type" field');
    expect(failure('{"type":7}')).toBe('frame has no string "type" field');
    expect(failure('{"type":"subscribe","data":["entry"]}')).toBe('unknown message type "subscribe"');
  });

  it('reports a missing required field with its name', () => {
    const entry = JSON.parse(FRAMES.entry) as Record<string, unknown>;
    delete entry.pair;
    expect(failure(JSON.stringify(entry))).toMatch(/^invalid "entry" frame: pair: /);
    expect(failure('{"type":"whitelist"}')).toMatch(/^invalid "whitelist" frame: data: /);
    expect(failure('{"type":"strategy_msg"}')).toMatch(/msg: /);
  });

  it('reports a field of the wrong type or an unknown direction', () => {
    const exit = JSON.parse(FRAMES.exit_fill) as Record<string, unknown>;
    expect(failure(JSON.stringify({ ...exit, profit_ratio: '0.1' }))).toMatch(/profit_ratio: /);
    expect(failure(JSON.stringify({ ...exit, direction: 'Sideways' }))).toMatch(/direction: /);
  });

  it('caps the issues it lists', () => {
    const error = failure('{"type":"exit_fill"}');
    expect(error.split('; ')).toHaveLength(4);
    expect(error).toMatch(/and \d+ more$/);
  });

  it('narrows a BotEvent by its type', () => {
    const message = parsed(FRAMES.exit_fill);
    const event: BotEvent = { ...message, bot: 'main', backfilled: true };
    if (event.type === 'exit_fill') {
      expect(event.profit_ratio).toBeCloseTo(-0.574, 3);
      expect(event.bot).toBe('main');
    } else {
      throw new Error('wrong type');
    }
  });
});
