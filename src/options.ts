/**
 * Checks of user-given options, failing at startup with a message that names the option, the
 * expected type and what was given (`prometheus.port must be an integer, got the string
 * "19468"`): a wrong option must not silently start nothing or fall back to a default.
 */

/** A value as a message names it: `the string "19468"`, `an array`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
    case 'number':
    case 'bigint':
      return `the number ${String(value)}`;
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    default:
      return 'an object';
  }
}

export function optionError(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(`${name} must be ${expected}, got ${describeValue(value)}`);
}

/** A plain object (not an array, not null); throws naming `name` otherwise. */
export function plainObject(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw optionError(name, 'an object', value);
  }
  return value as Record<string, unknown>;
}

/** Rejects keys outside `known`, naming the first unknown one and the accepted ones. */
export function knownKeys(name: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `${name} has an unknown key ${JSON.stringify(key)}: expected ${known.join(', ')}`,
      );
    }
  }
}

/** An integer in [min, max]; throws naming `name` otherwise. */
export function integerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw optionError(name, 'an integer', value);
  }
  if (value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** A positive finite number; throws naming `name` otherwise. */
export function positiveNumber(name: string, value: unknown): number {
  if (typeof value !== 'number') throw optionError(name, 'a positive number', value);
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a positive finite number, got ${value}`);
  }
  return value;
}

/** A string; throws naming `name` otherwise. */
export function stringOption(name: string, value: unknown): string {
  if (typeof value !== 'string') throw optionError(name, 'a string', value);
  return value;
}

/** `false` or a plain object with only `known` keys (undefined passes as undefined). */
export function objectOrFalse<T>(
  name: string,
  value: unknown,
  known: readonly string[],
): T | false | undefined {
  if (value === undefined || value === false) return value;
  const o = plainObject(name, value);
  knownKeys(name, o, known);
  return o as T;
}
