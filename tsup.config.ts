import { defineConfig } from 'tsup';

export default defineConfig({
  // cli.ts is the `otel-publishing-metrics` command (package.json `bin`); it keeps its #! line.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // OTel packages are peers: the host's copies must be the ones we talk to.
  external: [/^@opentelemetry\//],
  esbuildOptions(options, { format }) {
    // The optional exporters are loaded with import(). Left as import() in the CJS build, it
    // loads an exporter's ESM build, which on the OTel 3.x line (separate require/default builds)
    // brings a second, ESM copy of sdk-metrics next to the host's CJS one. require() keeps one.
    if (format === 'cjs') options.supported = { ...options.supported, 'dynamic-import': false };
  },
});
