import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/backends.js';
import { WORKLOAD } from '../support/workload.js';
import { hasPrometheus, startLiveStack, type LiveStack } from './live-stack.js';
import { metricTokens, unknownNames } from './names.js';

const GUIDE = readFileSync(join(REPO_ROOT, 'docs', 'promql.md'), 'utf8');

/** Every ```promql block of the guide, with the heading it answers. */
function guideQueries(markdown: string): Array<{ question: string; query: string }> {
  const out: Array<{ question: string; query: string }> = [];
  let question = '';
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('## ')) question = line.slice(3);
    if (line.trim() !== '```promql') continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!);
    out.push({ question, query: body.join('\n').trim() });
  }
  return out;
}

const queries = guideQueries(GUIDE);
const faults = WORKLOAD.faults;

describe('PromQL guide (offline)', () => {
  it('answers each question users ask with at least one query', () => {
    const questions = new Set(queries.map((q) => q.question));
    for (const topic of [
      'Which target is failing, and why?',
      'What is the delivery success rate?',
      'How slow is delivery? (p95 / p99 by target)',
      'Is the queue saturated?',
      'Is the dead-letter queue growing?',
      'Are we burning the delivery SLO?',
      'Which collector is down?',
      'Retries by error type',
      'Who is rate limiting us?',
    ]) {
      expect(questions, topic).toContain(topic);
    }
    expect(queries.length).toBeGreaterThan(35);
  });

  it('names only catalog metrics and recorded rules', () => {
    for (const { query } of queries) expect(unknownNames(query), query).toEqual([]);
    // Names mentioned in the prose count too.
    expect(unknownNames(GUIDE)).toEqual([]);
    expect(metricTokens(GUIDE).length).toBeGreaterThan(25);
  });
});

describe.skipIf(!hasPrometheus())('PromQL guide against a real Prometheus', () => {
  let stack: LiveStack;
  beforeAll(async () => {
    stack = await startLiveStack();
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('every query in docs/promql.md returns data', async () => {
    const empty: string[] = [];
    for (const { question, query } of queries) {
      try {
        await stack.nonEmpty(query);
      } catch (error) {
        empty.push(`${question}: ${(error as Error).message}`);
      }
    }
    expect(empty).toEqual([]);
  }, 60_000);

  it.skipIf(faults === undefined)(
    'finds exactly the broken things of the workload',
    async () => {
      const find = (heading: string, contains: string) =>
        queries.find((q) => q.question === heading && q.query.includes(contains))!.query;
      const labels = async (query: string, label: string) =>
        (await stack.nonEmpty(query)).map((s) => s.metric[label]).sort();

      expect(await labels(find('Which target is failing, and why?', '== 3'), 'target')).toEqual(
        faults!.unhealthyTargets,
      );
      expect(await labels(find('Which circuit breakers are open?', '== 2'), 'target')).toEqual(
        faults!.openCircuits,
      );
      expect(await labels(find('Is the queue saturated?', '> 0.9'), 'priority')).toEqual(
        faults!.saturatedPriorities,
      );
      expect(await labels(find('Which collector is down?', '== 0'), 'collector')).toEqual(
        faults!.downCollectors,
      );
      expect(
        await labels(
          find('Who is rate limiting us?', 'rate_limit_hits_total[5m])) > 0'),
          'publisher',
        ),
      ).toEqual(faults!.rateLimitedPublishers);
      // Every webhook-audit job and a fifth of rootly's end in the DLQ: ~30 % failing, a burn far
      // above the 14.4x that pages.
      const burn = await stack.nonEmpty('publishing:delivery_failure_ratio:rate1h / 0.005');
      expect(Number(burn[0]!.value[1])).toBeGreaterThan(14.4);
    },
    30_000,
  );
});
