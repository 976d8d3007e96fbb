/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and tells what share of its sampled time was spent
 * inside code under one directory: a sample counts when any frame of its stack is there, so the
 * OTel SDK and Node internals called from that code count with it. Garbage collection and idle
 * samples are attributed to no stack, so they count for nobody.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly url: string; readonly functionName: string };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileShare {
  /** Sampled time, milliseconds. */
  readonly totalMs: number;
  /** Of it, with a frame under the directory on the stack, milliseconds. */
  readonly insideMs: number;
}

/** The share of the one profile in `profileDir` whose stacks pass through `codeUrl` (a file URL prefix). */
export function profileShare(profileDir: string, codeUrl: string): ProfileShare {
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile in ${profileDir}`);
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
  const inside = new Map<number, boolean>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Parents before children: the root is the first node, and children come after their parent.
  const mark = (id: number, parentInside: boolean): void => {
    const node = byId.get(id)!;
    const here = parentInside || node.callFrame.url.startsWith(codeUrl);
    inside.set(id, here);
    for (const child of node.children ?? []) mark(child, here);
  };
  mark(profile.nodes[0]!.id, false);
  let total = 0;
  let within = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    if (inside.get(id) === true) within += dt;
  });
  return { totalMs: total / 1000, insideMs: within / 1000 };
}
