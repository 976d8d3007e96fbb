import { writeFileSync } from 'node:fs';
import { renderMetricsDoc } from './metrics-doc.js';

const target = new URL('../docs/metrics.md', import.meta.url);
writeFileSync(target, renderMetricsDoc());
console.log('wrote docs/metrics.md');
