/**
 * Child process of `allocationPerOp` (harness.ts): run as `node --expose-gc
 * --min-semi-space-size=128 --max-semi-space-size=128 --import tsx allocation-probe.ts <case
 * module> <ops json>`. Prints bytes allocated per operation for each contestant the module's
 * `allocationContestants()` returns. The young generation is large enough that no scavenge runs
 * inside a measured loop, so the growth of the object spaces is what the loop allocated (heapUsed
 * is not used: after a full GC, concurrent sweeping makes it jitter by ~200 KB). A deliberately
 * allocating loop is measured too, and must show, to prove the method sees allocation.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { pathToFileURL } from 'node:url';

type Loops = Record<string, (count: number) => void>;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const [modulePath, opsJson] = process.argv.slice(2);
if (modulePath === undefined || opsJson === undefined) {
  throw new Error('usage: allocation-probe.ts <case module> <ops json>');
}
const ops = JSON.parse(opsJson) as Record<string, number>;
const mod = (await import(pathToFileURL(modulePath).href)) as {
  allocationContestants(): Loops | Promise<Loops>;
};
const sink: object[] = [];
const loops: Loops = {
  ...(await mod.allocationContestants()),
  allocatingControl(count) {
    for (let i = 0; i < count; i++) {
      sink.length = 0;
      sink.push({ i });
    }
  },
};
const opsOf = (name: string) => ops[name] ?? 100_000;

for (let round = 0; round < 3; round++) {
  for (const [name, loop] of Object.entries(loops)) loop(opsOf(name));
}

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

const perOp: Record<string, number> = {};
for (const [name, loop] of Object.entries(loops)) {
  // The least of three rounds: JIT work may land in one round, a real per-call allocation in all.
  let least = Infinity;
  for (let round = 0; round < 3; round++) {
    gc();
    const before = objectBytes();
    loop(opsOf(name));
    least = Math.min(least, objectBytes() - before);
  }
  perOp[name] = Math.max(0, least) / opsOf(name);
}
if (!(perOp['allocatingControl']! > 8)) {
  throw new Error(`the probe did not see the control's allocation: ${JSON.stringify(perOp)}`);
}
process.stdout.write(JSON.stringify(perOp));
