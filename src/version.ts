/** Instrumentation scope of every instrument this library creates (kept in step with package.json). */
export const SCOPE_NAME = 'otel-publishing-metrics';
export const SCOPE_VERSION = '0.1.0';
