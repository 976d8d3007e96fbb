#!/usr/bin/env bash
# Builds and packs the library, then checks the tarball as a user receives it:
#   - contents: only package.json, README, LICENSE, dist/ and docs/ (fails on anything else)
#   - publint --strict and attw (are-the-types-wrong) on the tarball itself
#   - installed into a fresh temp folder, once per supported line (Node 20 with the 2.x peers we pin
#     for development, Node 22 with the 3.x peers): runtime smoke through ESM `import` and CJS
#     `require`, and `tsc --noEmit` on a consumer with moduleResolution node16 (ESM and CJS files)
#     and bundler
# Set SKIP_BUILD=1 when dist/ was just built by the caller. Node 22 comes from the runtime that
# scripts/compat-node22.sh keeps in .compat/ (installed on first use).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS
log() { printf '[package-smoke %3ss] %s\n' "$((SECONDS - started))" "$*"; }
die() {
  echo "package-smoke.sh: ERROR: $*" >&2
  exit 1
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/package-smoke.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  log "npm run build"
  npm run build >"$WORK/build.log" 2>&1 || {
    cat "$WORK/build.log" >&2
    die "build failed"
  }
fi

# 1. Pack and inspect the contents.
npm pack --pack-destination "$WORK" --json --loglevel=error >"$WORK/pack.json"
node - "$WORK/pack.json" <<'EOF'
const fs = require('node:fs');
const [pack] = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
// What a user needs; anything else (tests, bench results, examples, sources, scratch folders)
// has no business in the tarball.
const allowed = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^dist\/[^/]+$/, /^docs\//];
const forbidden = pack.files.map((f) => f.path).filter((p) => !allowed.some((re) => re.test(p)));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(
  `tarball ${pack.filename}: ${kb(pack.size)} packed, ${kb(pack.unpackedSize)} unpacked, ${pack.entryCount} files`,
);
for (const f of pack.files) console.log(`  ${f.path.padEnd(40)} ${kb(f.size)}`);
for (const required of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']) {
  if (!pack.files.some((f) => f.path === required)) {
    console.error(`missing from the tarball: ${required}`);
    process.exit(1);
  }
}
if (forbidden.length > 0) {
  console.error(`not allowed in the tarball:\n  ${forbidden.join('\n  ')}`);
  process.exit(1);
}
fs.writeFileSync(process.argv[2] + '.name', pack.filename);
EOF
TARBALL="$WORK/$(cat "$WORK/pack.json.name")"

# 2. Package linters, on the exact tarball.
log "publint --strict"
npx --no-install publint run "$TARBALL" --strict
log "attw"
npx --no-install attw "$TARBALL" --format table-flipped

# 3. Consumer files: the same runtime smoke through ESM import and CJS require, and a typed
#    consumer whose @ts-expect-error fails the check if the types silently degrade to `any`.
FIXTURES="$WORK/fixtures"
mkdir -p "$FIXTURES"
smoke_body='
  const collector = new PublishingMetricsCollector();
  collector.registerCollector(
    new HealthCollector({
      getHealth: () => [
        {
          targetName: "smoke-webhook", targetType: "webhook", enabled: true, status: "degraded",
          latencyMs: 250, lastCheck: new Date(), consecutiveFailures: 1, totalChecks: 4,
          totalSuccesses: 3, totalFailures: 1, successRate: 0.75,
        },
      ],
    }),
  );
  const snapshot = await collector.collectAll();
  await collector.shutdown();
  const expected = { target_health_status: 2, target_success_rate: 0.75, target_check_latency_seconds: 0.25 };
  const labels = { target_health_status: { target: "smoke-webhook", type: "webhook" } };
  for (const [name, value] of Object.entries(expected)) {
    const actual = snapshot.get(name, labels[name] ?? { target: "smoke-webhook" });
    if (actual !== value) {
      console.error(`${MODE}: ${name} = ${actual}, expected ${value}`);
      process.exit(1);
    }
  }
  if (!snapshot.collectors.health?.ok) {
    console.error(`${MODE}: health collector not ok: ${JSON.stringify(snapshot.collectors.health)}`);
    process.exit(1);
  }
  console.log(`${MODE} ok: ${ENTRY.replace(/.*node_modules\//, "")}, target_health_status 2`);
'
cat >"$FIXTURES/smoke.mjs" <<EOF
import { HealthCollector, PublishingMetricsCollector } from 'otel-publishing-metrics';
const MODE = 'esm import';
const ENTRY = import.meta.resolve('otel-publishing-metrics');
$smoke_body
EOF
cat >"$FIXTURES/smoke.cjs" <<EOF
const { HealthCollector, PublishingMetricsCollector } = require('otel-publishing-metrics');
const MODE = 'cjs require';
const ENTRY = require.resolve('otel-publishing-metrics');
(async () => {
$smoke_body
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
EOF
consumer_body='
const monitor: HealthMonitor = { getHealth: () => [] };
const collector = new PublishingMetricsCollector({ collectorTimeoutMs: 500 });
collector.registerCollector(new HealthCollector(monitor));
export async function healthStatus(): Promise<number | undefined> {
  const snapshot: MetricsSnapshot = await collector.collectAll({ timeoutMs: 200 });
  return snapshot.get("target_health_status", { target: "a", type: "webhook" });
}
// @ts-expect-error collectorTimeoutMs is a number
new PublishingMetricsCollector({ collectorTimeoutMs: "fast" });
'
for ext in mts cts; do
  cat >"$FIXTURES/consumer.$ext" <<EOF
import { HealthCollector, PublishingMetricsCollector, type HealthMonitor, type MetricsSnapshot } from 'otel-publishing-metrics';
$consumer_body
EOF
done
cp "$FIXTURES/consumer.mts" "$FIXTURES/consumer.ts"
ts_config() { # module moduleResolution files...
  node -e '
    const [module, moduleResolution, ...files] = process.argv.slice(1);
    console.log(JSON.stringify({ compilerOptions: { module, moduleResolution, target: "ES2022",
      strict: true, noEmit: true, skipLibCheck: false, types: ["node"] }, files }));' "$@"
}
ts_config node16 node16 consumer.mts consumer.cts >"$FIXTURES/tsconfig.node16.json"
ts_config esnext bundler consumer.ts >"$FIXTURES/tsconfig.bundler.json"

# 4. Per supported line: a fresh consumer with the peer dependencies at that line's versions.
pinned() { node -p "require('$ROOT/package.json').devDependencies['$1']"; }
check_line() { # label node-binary api sdk (sdk-metrics and resources)
  local label="$1" node_bin="$2" api="$3" sdk="$4"
  local consumer="$WORK/consumer-$label"
  mkdir -p "$consumer"
  cp "$FIXTURES"/* "$consumer/"
  cd "$consumer"
  echo '{ "name": "consumer", "private": true, "type": "module" }' >package.json
  local deps=("@opentelemetry/api@$api" "@opentelemetry/sdk-metrics@$sdk" "@opentelemetry/resources@$sdk"
    "typescript@$(pinned typescript)" "@types/node@$(pinned @types/node)")
  log "$label: npm install $(basename "$TARBALL") ${deps[*]}"
  PATH="$(dirname "$node_bin"):$PATH" npm install --no-audit --no-fund --prefer-offline \
    --loglevel=error "${deps[@]}" "$TARBALL" >/dev/null

  log "$label: runtime smoke on $("$node_bin" --version)"
  local esm cjs
  esm="$("$node_bin" smoke.mjs)" && echo "$esm"
  cjs="$("$node_bin" smoke.cjs)" && echo "$cjs"
  [[ "$esm" == *dist/index.js,* ]] || die "$label: ESM import did not load dist/index.js"
  [[ "$cjs" == *dist/index.cjs,* ]] || die "$label: CJS require did not load dist/index.cjs"

  log "$label: tsc --noEmit, moduleResolution node16 and bundler"
  local pids=() mode failed=0
  for mode in node16 bundler; do
    node node_modules/typescript/bin/tsc --noEmit -p "tsconfig.$mode.json" >"tsc.$mode.log" 2>&1 &
    pids+=($!)
  done
  for mode in node16 bundler; do
    if ! wait "${pids[0]}"; then
      echo "tsc, moduleResolution $mode:" >&2
      cat "tsc.$mode.log" >&2
      failed=1
    fi
    pids=("${pids[@]:1}")
  done
  [[ $failed == 0 ]] || die "$label: the typed consumer does not compile"
  cd "$ROOT"
}

# The line the main suite runs: Node 20 (this node) with sdk-metrics 2.x.
check_line otel2 "$(command -v node)" "$(pinned @opentelemetry/api)" "$(pinned @opentelemetry/sdk-metrics)"
# The 3.x line on Node 22, from the runtime scripts/compat-node22.sh keeps in .compat/.
NODE22="$(COMPAT_PRINT_NODE=1 bash "$ROOT/scripts/compat-node22.sh")"
check_line otel3 "$NODE22" "${COMPAT_OTEL_API:-1.10.0}" "${COMPAT_OTEL_SDK:-3.1.1}"
log "done"
