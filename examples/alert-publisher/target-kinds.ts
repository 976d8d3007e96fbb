/** The kinds of publishing target the demo knows: each has a fake server and a publisher. */
export type TargetKind = 'slack' | 'rootly' | 'pagerduty' | 'webhook';
export const TARGET_KINDS: readonly TargetKind[] = ['slack', 'rootly', 'pagerduty', 'webhook'];

export function isTargetKind(value: unknown): value is TargetKind {
  return typeof value === 'string' && (TARGET_KINDS as readonly string[]).includes(value);
}
