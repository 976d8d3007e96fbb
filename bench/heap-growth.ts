/**
 * Bytes a loop allocates, for the allocation probes of the benchmark and of the hot-path test.
 * Run under `--expose-gc` with a young generation large enough that no scavenge runs inside a
 * measured loop: the growth of the object spaces is then what the loop allocated. `heapUsed` is
 * not used: after a full GC, concurrent sweeping makes it jitter by ~200 KB between identical
 * runs. Code space is left out (compiled code is not per-call allocation).
 */
import { getHeapSpaceStatistics } from 'node:v8';

const OBJECT_SPACES = new Set([
  'new_space',
  'old_space',
  'new_large_object_space',
  'large_object_space',
  'map_space',
]);

function objectBytes(): number {
  let used = 0;
  for (const space of getHeapSpaceStatistics()) {
    if (OBJECT_SPACES.has(space.space_name)) used += space.space_used_size;
  }
  return used;
}

/** The least growth over `rounds` runs of `loop`: JIT work may land in one round, a real per-call allocation lands in all. */
export function leastHeapGrowth(loop: () => void, rounds = 3): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  let least = Infinity;
  for (let round = 0; round < rounds; round++) {
    gc();
    const before = objectBytes();
    loop();
    least = Math.min(least, objectBytes() - before);
  }
  return least;
}
