#!/usr/bin/env bash
# Runs the unit/integration suite on Node 22 against the OpenTelemetry 3.x line
# (api 1.10, sdk-metrics/core/resources 3.1.x, exporters and sdk-node 0.301.0), which needs
# Node >= 22.15. The main suite (npm test) stays on Node 20 with sdk-metrics 2.x.
#
#   .compat/node22/runtime/       the npm package `node@22` (its node_modules/.bin/node is Node 22)
#   .compat/node22/sdk-3.1.1/     a copy of the current tree (git-tracked and untracked, not
#                                 ignored files) with a package.json whose OTel packages are the
#                                 3.x line and whose other devDependencies are the repo's own
#
# Cached: Node is installed once; packages are reinstalled only when the derived package.json
# changes. The tree is copied afresh on every run, so the run sees the tests present at CI time.
# Extra arguments go to `vitest run` (e.g. a test folder).
#
# Other cells of the support matrix (docs/compatibility.md) use the same script:
#   COMPAT_NODE=24 bash scripts/compat-node22.sh                       Node 24, OTel 3.1
#   COMPAT_OTEL_SDK=3.0.0 COMPAT_OTEL_EXPERIMENTAL=0.300.0 bash ...    Node 22, OTel 3.0
#   COMPAT_OTEL_API=1.9.1 COMPAT_OTEL_SDK=2.12.0 COMPAT_OTEL_EXPERIMENTAL=0.223.0 bash ...
#                                                                      Node 22, OTel 2.x
set -euo pipefail

NODE_MAJOR="${COMPAT_NODE:-22}"
# The OTel line under test. sdk-metrics/core/resources are forced to one copy: the exporters and
# sdk-node pin them exactly (0.301.0 pins 3.1.0), and two sdk-metrics copies would hide mismatches.
OTEL_API="${COMPAT_OTEL_API:-1.10.0}"
OTEL_SDK="${COMPAT_OTEL_SDK:-3.1.1}"
OTEL_EXPERIMENTAL="${COMPAT_OTEL_EXPERIMENTAL:-0.301.0}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMPAT="$ROOT/.compat/node$NODE_MAJOR"
RUNTIME="$COMPAT/runtime"
PROJECT="$COMPAT/sdk-$OTEL_SDK"
NODE_BIN="$RUNTIME/node_modules/.bin/node"

started=$SECONDS
log() { printf '[compat-node%s %3ss] %s\n' "$NODE_MAJOR" "$((SECONDS - started))" "$*"; }
die() {
  echo "compat-node22.sh: ERROR: $*" >&2
  exit 1
}

command -v git >/dev/null 2>&1 || die "git is needed to list the tree to copy"
mkdir -p "$RUNTIME"

# 1. Node from the npm registry (the OTel 3.x line needs Node >= 22.15).
node_ok() {
  [[ -x "$NODE_BIN" ]] && "$NODE_BIN" -e '
    const [major, minor] = process.versions.node.split(".").map(Number);
    const want = Number(process.argv[1]);
    process.exit(major === want && (want !== 22 || minor >= 15) ? 0 : 1);' "$NODE_MAJOR"
}
if node_ok; then
  log "Node $("$NODE_BIN" --version) (cached)" >&2
else
  log "installing node@$NODE_MAJOR into .compat/node$NODE_MAJOR/runtime" >&2
  [[ -f "$RUNTIME/package.json" ]] ||
    echo "{ \"name\": \"node$NODE_MAJOR-runtime\", \"private\": true }" >"$RUNTIME/package.json"
  (cd "$RUNTIME" && npm install --no-audit --no-fund --prefer-offline --loglevel=error "node@$NODE_MAJOR" >/dev/null)
  node_ok || die "node@$NODE_MAJOR did not provide a suitable Node at $NODE_BIN"
  log "Node $("$NODE_BIN" --version) installed" >&2
fi

# COMPAT_PRINT_NODE=1: only make sure the runtime is there and print its path (package-smoke.sh
# runs its Node 22 consumer with it).
if [[ "${COMPAT_PRINT_NODE:-}" == 1 ]]; then
  echo "$NODE_BIN"
  exit 0
fi

# 2. A fresh copy of the tree (deleted files must disappear, new ones appear).
mkdir -p "$PROJECT"
find "$PROJECT" -mindepth 1 -maxdepth 1 \
  ! -name node_modules ! -name package.json ! -name package-lock.json ! -name .install-key \
  -exec rm -rf {} +
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard --deduplicate) |
  (cd "$ROOT" && while IFS= read -r -d '' f; do
    [[ -e "$f" && "$f" != package.json && "$f" != package-lock.json ]] && printf '%s\0' "$f"
  done) |
  tar -C "$ROOT" --null -T - -cf - | tar -C "$PROJECT" -xf -
# Real backends are provisioned once for the repo (scripts/backends.sh); tests find them here.
ln -sfn "$ROOT/.backends" "$PROJECT/.backends"
log "copied $(find "$PROJECT" -path "$PROJECT/node_modules" -prune -o -type f -print | wc -l) files"

# 3. package.json: the repo's devDependencies with the OTel packages moved to the line under test.
OTEL_API="$OTEL_API" OTEL_SDK="$OTEL_SDK" OTEL_EXPERIMENTAL="$OTEL_EXPERIMENTAL" \
  node - "$ROOT/package.json" "$PROJECT/package.json.next" <<'EOF'
const fs = require('node:fs');
const [source, target] = process.argv.slice(2);
const repo = JSON.parse(fs.readFileSync(source, 'utf8'));
const { OTEL_API, OTEL_SDK, OTEL_EXPERIMENTAL } = process.env;
// Stable packages follow the SDK version, experimental (0.x) ones the matching 0.x line.
const line = (name, version) => {
  if (name === '@opentelemetry/api') return OTEL_API;
  if (version.startsWith('0.')) return OTEL_EXPERIMENTAL;
  if (version.startsWith('2.')) return OTEL_SDK;
  throw new Error(`no version under test known for ${name}@${version}`);
};
const devDependencies = {};
for (const [name, version] of Object.entries(repo.devDependencies ?? {})) {
  devDependencies[name] = name.startsWith('@opentelemetry/') ? line(name, version) : version;
}
const pkg = {
  name: `${repo.name}-compat`,
  version: repo.version,
  private: true,
  type: repo.type,
  devDependencies,
  overrides: {
    '@opentelemetry/sdk-metrics': OTEL_SDK,
    '@opentelemetry/core': OTEL_SDK,
    '@opentelemetry/resources': OTEL_SDK,
  },
};
fs.writeFileSync(target, JSON.stringify(pkg, null, 2) + '\n');
EOF

# 4. Install with the Node under test first on PATH (npm and install scripts run on it), only when
#    the package set or the Node version changed.
export PATH="$RUNTIME/node_modules/.bin:$PROJECT/node_modules/.bin:$PATH"
key="$(cat "$PROJECT/package.json.next"; node --version)"
key="$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)"
if [[ -d "$PROJECT/node_modules" && -f "$PROJECT/.install-key" && "$(cat "$PROJECT/.install-key")" == "$key" ]]; then
  rm "$PROJECT/package.json.next"
  log "packages unchanged (cached)"
else
  mv "$PROJECT/package.json.next" "$PROJECT/package.json"
  rm -f "$PROJECT/.install-key"
  log "installing packages (OTel api $OTEL_API, sdk $OTEL_SDK, $OTEL_EXPERIMENTAL) on $(node --version)"
  (cd "$PROJECT" && npm install --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null)
  echo "$key" >"$PROJECT/.install-key"
fi

# 5. The versions actually resolved, then the suite.
(cd "$PROJECT" && node -e '
  const fs = require("node:fs");
  const v = (p) => JSON.parse(fs.readFileSync(`node_modules/${p}/package.json`, "utf8")).version;
  const names = ["@opentelemetry/api", "@opentelemetry/sdk-metrics", "@opentelemetry/core",
    "@opentelemetry/resources", "@opentelemetry/exporter-prometheus",
    "@opentelemetry/exporter-metrics-otlp-http", "@opentelemetry/exporter-metrics-otlp-proto",
    "@opentelemetry/sdk-node", "vitest"];
  console.log(`node ${process.version}; ` + names.map((n) => `${n.replace("@opentelemetry/", "")} ${v(n)}`).join(", "));
  const copies = require("node:child_process")
    .execFileSync("find", ["node_modules", "-path", "*/@opentelemetry/sdk-metrics/package.json"], { encoding: "utf8" })
    .trim().split("\n");
  if (copies.length !== 1) { console.error("expected one copy of sdk-metrics, found:\n" + copies.join("\n")); process.exit(1); }
')

cd "$PROJECT"
# The library and the drop-in examples against this line's type declarations.
cat >tsconfig.compat.json <<'EOF'
{ "extends": "./tsconfig.json", "include": ["src", "examples/nodesdk", "examples/existing-provider"] }
EOF
log "tsc --noEmit (src, drop-in examples) on $(node --version)"
tsc --noEmit -p tsconfig.compat.json

log "vitest on $(node --version)"
vitest run "$@"
log "done"
