/** Bounded priority queue: per-priority capacity with rejection, strict priority order, per-target depth. */
import { describe, expect, it } from 'vitest';
import { BoundedPriorityQueue } from '../../examples/alert-publisher/pipeline/priority-queue.js';
import type { Priority } from '../../examples/alert-publisher/ports.js';

const item = (priority: Priority, target = 't', id = 0) => ({ priority, target, id });

describe('bounded priority queue', () => {
  it('rejects a job when its priority is full, while other priorities still accept', () => {
    const queue = new BoundedPriorityQueue<ReturnType<typeof item>>({ high: 2, medium: 1, low: 1 });
    expect(queue.offer(item('high'))).toBe(true);
    expect(queue.offer(item('high'))).toBe(true);
    expect(queue.offer(item('high'))).toBe(false);
    expect(queue.offer(item('medium'))).toBe(true);
    expect(queue.offer(item('medium'))).toBe(false);
    expect(queue.offer(item('low'))).toBe(true);
    expect([queue.sizeOf('high'), queue.sizeOf('medium'), queue.sizeOf('low'), queue.size]).toEqual(
      [2, 1, 1, 4],
    );
    queue.poll();
    expect(queue.offer(item('high'))).toBe(true); // room again after a take
  });

  it('serves high before medium before low, FIFO within a priority', () => {
    const queue = new BoundedPriorityQueue<ReturnType<typeof item>>({
      high: 10,
      medium: 10,
      low: 10,
    });
    queue.offer(item('low', 't', 1));
    queue.offer(item('medium', 't', 2));
    queue.offer(item('high', 't', 3));
    queue.offer(item('medium', 't', 4));
    queue.offer(item('high', 't', 5));
    const order: number[] = [];
    for (let next = queue.poll(); next; next = queue.poll()) order.push(next.id);
    expect(order).toEqual([3, 5, 2, 4, 1]);
  });

  it('tracks the depth per target and wraps around its ring buffer', () => {
    const queue = new BoundedPriorityQueue<ReturnType<typeof item>>({ high: 3, medium: 1, low: 1 });
    for (let round = 0; round < 5; round++) {
      queue.offer(item('high', 'a'));
      queue.offer(item('high', 'b'));
      queue.offer(item('high', 'a'));
      expect([queue.depthFor('a'), queue.depthFor('b')]).toEqual([2, 1]);
      queue.poll();
      queue.poll();
      queue.poll();
    }
    expect([queue.depthFor('a'), queue.size]).toEqual([0, 0]);
  });
});
