/** A value JSON can carry; response builders return these so nothing unserializable slips in. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** `value` rounded to `decimals` decimal places (Python's `round`, close enough for display values). */
export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** A finite number, or `null` for NaN / ±Infinity (orjson writes those as `null`). */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
