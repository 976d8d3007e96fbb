/** One delivery of one alert to one target: the unit the queue, workers, retries and DLQ handle. */
import type { Priority } from '../ports.js';
import type { Alert } from './alert.js';

export interface Job {
  id: number;
  alert: Alert;
  target: string;
  priority: Priority;
  /** performance.now() at submission, for the queue wait time. */
  enqueuedAt: number;
}
