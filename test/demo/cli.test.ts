/**
 * The demo's flags for running replicas side by side and for the alert loop: each parsed as
 * documented, with a clear error for a bad value.
 */
import { describe, expect, it } from 'vitest';
import { UsageError, parseCli, type DemoConfig } from '../../examples/alert-publisher/cli.js';

const parse = (...argv: string[]) => parseCli(argv, {}) as DemoConfig;

describe('demo flags', () => {
  it('replica flags: ports, instance, seed, generator', () => {
    const config = parse(
      '--metrics-port',
      '9465',
      '--stats-port',
      '8081',
      '--intake-port',
      '9098',
      '--instance',
      'replica-b',
      '--seed',
      '2',
      '--generator',
      'off',
    );
    expect(config).toMatchObject({
      metricsPort: 9465,
      statsPort: 8081,
      intakePort: 9098,
      instance: 'replica-b',
      seed: 2,
      generator: false,
    });
  });

  it('defaults: intake port unset (9097, or free when taken), generator on, chaos looping', () => {
    const config = parse();
    expect(config.intakePort).toBeUndefined();
    expect(config.instance).toBeUndefined();
    expect(config.generator).toBe(true);
    expect(config.chaosCycles).toBeUndefined();
    expect(config.chaosScale).toBe(1);
    expect(config.logDeliveries).toBeUndefined();
  });

  it('environment fallbacks for the intake port and the instance', () => {
    const config = parseCli([], { DEMO_INTAKE_PORT: '0', DEMO_INSTANCE: 'a' }) as DemoConfig;
    expect(config.intakePort).toBe(0);
    expect(config.instance).toBe('a');
  });

  it('alert-loop tuning flags', () => {
    const config = parse(
      '--chaos',
      '--chaos-scale',
      '0.5',
      '--chaos-cycles',
      '1',
      '--health-interval',
      '1',
      '--refresh-interval',
      '2',
      '--dlq-replay-interval',
      '2',
      '--collector-timeout',
      '250',
      '--log-deliveries',
      '^Publishing',
    );
    expect(config).toMatchObject({
      chaos: true,
      chaosScale: 0.5,
      chaosCycles: 1,
      healthIntervalSeconds: 1,
      refreshIntervalSeconds: 2,
      dlqReplayIntervalSeconds: 2,
      collectorTimeoutMs: 250,
    });
    expect(config.logDeliveries?.test('PublishingCircuitOpen')).toBe(true);
    expect(config.logDeliveries?.test('NodeDown')).toBe(false);
  });

  it.each([
    [['--generator', 'maybe'], '--generator must be on or off, got "maybe"'],
    [['--instance', ' '], '--instance must not be empty'],
    [['--intake-port', '70000'], '--intake-port must be a port, got 70000'],
    [['--chaos-cycles', '0'], '--chaos-cycles must be an integer ≥ 1, got "0"'],
    [['--log-deliveries', '('], /^--log-deliveries: Invalid regular expression/],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });
});
