/**
 * Bounded job queue with one FIFO per priority. A full priority rejects new jobs instead of growing
 * (back-pressure the submitter sees), and takers always drain high before medium before low.
 */
import type { Priority } from '../ports.js';

export const PRIORITIES: readonly Priority[] = ['high', 'medium', 'low'];

export interface Queued {
  priority: Priority;
  target: string;
}

/** Fixed-capacity ring buffer: O(1) push/shift where Array.shift is O(n) on deep queues. */
class Ring<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  size = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<T | undefined>(capacity);
  }

  push(item: T): boolean {
    if (this.size >= this.capacity) return false;
    this.slots[(this.head + this.size) % this.capacity] = item;
    this.size++;
    return true;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    return item;
  }
}

export class BoundedPriorityQueue<T extends Queued> {
  private readonly rings: Record<Priority, Ring<T>>;
  private readonly perTarget = new Map<string, number>();
  private readonly waiters: (() => void)[] = [];

  constructor(capacity: Readonly<Record<Priority, number>>) {
    this.rings = {
      high: new Ring<T>(capacity.high),
      medium: new Ring<T>(capacity.medium),
      low: new Ring<T>(capacity.low),
    };
  }

  /** Enqueue; false when the item's priority is at capacity. */
  offer(item: T): boolean {
    if (!this.rings[item.priority].push(item)) return false;
    this.perTarget.set(item.target, (this.perTarget.get(item.target) ?? 0) + 1);
    this.waiters.shift()?.();
    return true;
  }

  /** Highest-priority item, or undefined when empty. */
  poll(): T | undefined {
    for (const priority of PRIORITIES) {
      const item = this.rings[priority].shift();
      if (item === undefined) continue;
      const left = (this.perTarget.get(item.target) ?? 1) - 1;
      if (left > 0) this.perTarget.set(item.target, left);
      else this.perTarget.delete(item.target);
      return item;
    }
    return undefined;
  }

  /** Resolves when an item is offered or `wakeAll()` is called. */
  waitForItem(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Releases every waiter (used to stop the workers). */
  wakeAll(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  get size(): number {
    return this.rings.high.size + this.rings.medium.size + this.rings.low.size;
  }

  sizeOf(priority: Priority): number {
    return this.rings[priority].size;
  }

  capacityOf(priority: Priority): number {
    return this.rings[priority].capacity;
  }

  /** Jobs waiting for one target. */
  depthFor(target: string): number {
    return this.perTarget.get(target) ?? 0;
  }
}
