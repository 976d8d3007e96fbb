import type { EncodedJson } from './respond.js';

/** Encoded answers kept per statistics; bounded so varied query strings cannot grow it. */
const MAX_ANSWERS = 64;

/**
 * The stats API's encoded answers for one set of statistics (a local snapshot or a fleet
 * evaluation), keyed by endpoint and parsed query. Answers live and die with those statistics, so
 * an answer is never served for other ones, and new statistics render afresh.
 */
export class AnswerMemo {
  private readonly answers = new Map<string, EncodedJson>();

  /** The answer for `key`, rendered and encoded once per key. */
  memo(key: string, make: () => EncodedJson): EncodedJson {
    const kept = this.answers.get(key);
    if (kept !== undefined) return kept;
    const value = make();
    if (this.answers.size < MAX_ANSWERS) this.answers.set(key, value);
    return value;
  }
}
