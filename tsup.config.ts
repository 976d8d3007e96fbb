import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // OTel packages are peers: the host's copies must be the ones we talk to.
  external: [/^@opentelemetry\//],
});
