/**
 * The escaping of the Prometheus text format 0.0.4, shared by the `/metrics` serializer and the
 * snapshot's series keys (`name{a="x"}`, meant to be pasted into PromQL), so both write a value
 * the same way. Text that needs no escaping, nearly all of it, is returned as it is after one
 * regular-expression test.
 */
const METADATA_ESCAPES = /[\\\n]/;
const LABEL_VALUE_ESCAPES = /[\\\n"]/;

function escapeCharacter(c: string): string {
  return c === '\\' ? '\\\\' : c === '\n' ? '\\n' : '\\"';
}

/** A label value: backslash, newline and double quote escaped. */
export function escapeLabelValue(text: string): string {
  return LABEL_VALUE_ESCAPES.test(text) ? text.replace(/[\\\n"]/g, escapeCharacter) : text;
}

/** HELP and UNIT text: backslash and newline escaped. */
export function escapeMetadata(text: string): string {
  return METADATA_ESCAPES.test(text) ? text.replace(/[\\\n]/g, escapeCharacter) : text;
}
