import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const probe = fileURLToPath(new URL('./hot-path-probe.ts', import.meta.url));

describe('hot path', () => {
  it('records 100k jobs, retries, requests and DLQ writes without allocating', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--expose-gc',
        '--min-semi-space-size=64',
        '--max-semi-space-size=64',
        '--import',
        'tsx',
        probe,
      ],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 60_000 },
    );
    const grown = JSON.parse(stdout) as Record<string, number>;
    // The method sees allocation: one small object per call is megabytes.
    expect(grown['allocatingControl']).toBeGreaterThan(1024 * 1024);
    for (const call of ['recordJob', 'recordRetry', 'recordRequest', 'recordDlqWrite']) {
      expect(grown[call], `${call}: bytes grown over 100k calls`).toBeLessThan(64 * 1024);
    }
  });
});
