/**
 * Child process of `allocationPerOp` (harness.ts): run as `node --expose-gc
 * --min-semi-space-size=128 --max-semi-space-size=128 --import tsx allocation-probe.ts <case
 * module> <ops json>`. Prints bytes allocated per operation for each contestant the module's
 * `allocationContestants()` returns. The young generation is large enough that no scavenge runs
 * inside a measured loop, so the growth of the object spaces is what the loop allocated (heapUsed
 * is not used: after a full GC, concurrent sweeping makes it jitter by ~200 KB). A deliberately
 * allocating loop is measured too, and must show, to prove the method sees allocation.
 */
import { leastHeapGrowth } from './heap-growth.js';
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
  /** The contestants named (a contestant's JIT feedback can change another's inlining). */
  allocationContestants(names: readonly string[]): Loops | Promise<Loops>;
};
const sink: object[] = [];
const loops: Loops = {
  ...(await mod.allocationContestants(Object.keys(ops))),
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

const perOp: Record<string, number> = {};
for (const [name, loop] of Object.entries(loops)) {
  perOp[name] =
    Math.max(
      0,
      leastHeapGrowth(() => loop(opsOf(name))),
    ) / opsOf(name);
}
if (!(perOp['allocatingControl']! > 8)) {
  throw new Error(`the probe did not see the control's allocation: ${JSON.stringify(perOp)}`);
}
process.stdout.write(JSON.stringify(perOp));
