/** A lookup table from a closed set of strings to indices, immune to `toString` and friends. */
export function enumIndex<K extends string>(keys: readonly K[]): Readonly<Record<K, number>> {
  const table = Object.create(null) as Record<K, number>;
  keys.forEach((key, i) => {
    table[key] = i;
  });
  return Object.freeze(table);
}
