#!/usr/bin/env bash
# Provision real metric backends for the integration tests into <repo>/.backends/
# (git-ignored), from Debian's packages, without installing anything system-wide
# and without changing the machine's apt configuration or apt state:
#
#   .backends/prometheus/usr/bin/prometheus          Prometheus 2.42 (bookworm package `prometheus`)
#   .backends/prometheus/usr/bin/promtool
#   .backends/victoria-metrics/usr/bin/victoria-metrics   (trixie package `victoria-metrics`)
#   .backends/alertmanager/usr/bin/prometheus-alertmanager  Alertmanager 0.25 (bookworm package
#   .backends/alertmanager/usr/bin/amtool                   `prometheus-alertmanager`)
#
# Debian's Alertmanager reads its notification templates from the fixed folder
# /usr/share/prometheus/alertmanager/ (default.tmpl; email.tmpl too once it runs) and
# refuses every config without them ("failed to parse templates"). Run as root, the
# script copies the two templates from the extracted package there (the only files it
# writes outside .backends/, and only when they are missing). Otherwise it says so and exits 1 with the command that fixes it
# (`sudo cp ...`, or `apt-get install prometheus-alertmanager`).
#
# apt runs with a private sources list, private lists/cache folders and an empty
# sources.list.d, so neither /etc/apt nor /var/lib/apt/lists nor /var/cache/apt is
# touched. The mirror URI is taken from the machine's existing Debian entry (the one
# whose Suites include bookworm); DEBIAN_MIRROR=<uri> overrides it.
#
# Idempotent: when the binaries exist and answer --version the script only prints
# the versions. Output: one line per backend, "<name> <version line>".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BACKENDS="$ROOT/.backends"
PROM_DIR="$BACKENDS/prometheus"
VM_DIR="$BACKENDS/victoria-metrics"
PROMETHEUS="$PROM_DIR/usr/bin/prometheus"
PROMTOOL="$PROM_DIR/usr/bin/promtool"
VICTORIA="$VM_DIR/usr/bin/victoria-metrics"
AM_DIR="$BACKENDS/alertmanager"
ALERTMANAGER="$AM_DIR/usr/bin/prometheus-alertmanager"
AMTOOL="$AM_DIR/usr/bin/amtool"
AM_TEMPLATE_DIR=/usr/share/prometheus/alertmanager
AM_TEMPLATE_SRC="$AM_DIR/usr/share/prometheus/alertmanager"
AM_TEMPLATES=(default.tmpl email.tmpl)
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

die() {
  echo "backends.sh: ERROR: $*" >&2
  exit 1
}

# Status 0 when `<bin> --version` runs; prints its first line. Debian's
# victoria-metrics build prints an empty version, so fall back to the package
# version recorded at extraction (<dir>/.deb-version).
version_of() {
  local bin="$1" out
  [[ -x "$bin" ]] || return 1
  out="$("$bin" --version 2>&1)" || return 1
  out="$(printf '%s\n' "$out" | head -n 1)"
  if [[ -z "$out" ]]; then
    out="$(cat "$(dirname "$(dirname "$(dirname "$bin")")")/.deb-version" 2>/dev/null || true)"
    out="${out:-version unknown (binary runs)}"
  fi
  printf '%s\n' "$out"
}

PROM_V="" PROMTOOL_V="" VM_V="" AM_V="" AMTOOL_V=""
prometheus_ok() {
  PROM_V="$(version_of "$PROMETHEUS")" && PROMTOOL_V="$(version_of "$PROMTOOL")"
}
victoria_ok() { VM_V="$(version_of "$VICTORIA")"; }
alertmanager_ok() {
  AM_V="$(version_of "$ALERTMANAGER")" && AMTOOL_V="$(version_of "$AMTOOL")"
}

am_templates_ok() {
  local t
  for t in "${AM_TEMPLATES[@]}"; do [[ -r "$AM_TEMPLATE_DIR/$t" ]] || return 1; done
}

# Puts Debian's templates where its Alertmanager build looks for them (see the header).
install_am_template() {
  am_templates_ok && return 0
  local t
  for t in "${AM_TEMPLATES[@]}"; do
    [[ -r "$AM_TEMPLATE_SRC/$t" ]] || die "$AM_TEMPLATE_SRC/$t missing from the extracted package; delete $AM_DIR and rerun."
  done
  if [[ "$(id -u)" == 0 ]]; then
    mkdir -p "$AM_TEMPLATE_DIR"
    for t in "${AM_TEMPLATES[@]}"; do cp "$AM_TEMPLATE_SRC/$t" "$AM_TEMPLATE_DIR/$t"; done
    echo "backends.sh: installed Alertmanager's templates in $AM_TEMPLATE_DIR" >&2
    return 0
  fi
  die "Debian's Alertmanager needs ${AM_TEMPLATES[*]} in $AM_TEMPLATE_DIR (fixed path); as a non-root user run:
  sudo mkdir -p $AM_TEMPLATE_DIR && sudo cp $AM_TEMPLATE_SRC/*.tmpl $AM_TEMPLATE_DIR/
(or: sudo apt-get install prometheus-alertmanager), then rerun this script."
}

# Uses the versions captured by the last prometheus_ok / victoria_ok calls.
print_versions() {
  echo "prometheus: $PROM_V"
  echo "promtool: $PROMTOOL_V"
  echo "victoria-metrics: $VM_V"
  echo "alertmanager: $AM_V"
  echo "amtool: $AMTOOL_V"
}

# Fast path (no lock, no apt): everything is there and runs.
if prometheus_ok && victoria_ok && alertmanager_ok && am_templates_ok; then
  print_versions
  exit 0
fi

for tool in apt-get dpkg-deb flock; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found; this script needs a Debian/Ubuntu machine with apt."
done
[[ -r "$KEYRING" ]] || die "$KEYRING is missing (package debian-archive-keyring)."

mkdir -p "$BACKENDS"
# Serialise concurrent runs (parallel test workers, two shells).
exec 9>"$BACKENDS/.lock"
flock 9
# Another run may have finished while we waited for the lock. A missing Alertmanager
# template alone needs no download.
if prometheus_ok && victoria_ok && alertmanager_ok; then
  install_am_template
  print_versions
  exit 0
fi

# URI of the machine's Debian entry whose Suites include bookworm: deb822 *.sources
# first, then one-line sources.list files. Only reads these files.
find_debian_uri() {
  local f uri
  shopt -s nullglob
  for f in /etc/apt/sources.list.d/*.sources; do
    uri="$(awk '
      function flush() {
        if (types ~ /(^|[ \t])deb([ \t]|$)/ && suites ~ /(^|[ \t])bookworm([ \t]|$)/ && uris != "" && !enabled_no) {
          split(uris, u, /[ \t]+/); print u[1]; found = 1; exit
        }
        types = ""; suites = ""; uris = ""; enabled_no = 0
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      {
        line = $0; key = line; sub(/:.*/, "", key); val = line; sub(/^[^:]*:[ \t]*/, "", val)
        k = tolower(key)
        if (k == "types") types = val
        else if (k == "suites") suites = val
        else if (k == "uris") uris = val
        else if (k == "enabled" && tolower(val) == "no") enabled_no = 1
      }
      END { if (!found) flush() }
    ' "$f")"
    if [[ -n "$uri" ]]; then
      printf '%s\n' "$uri"
      return 0
    fi
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r "$f" ]] || continue
    uri="$(awk '
      /^[ \t]*deb[ \t]/ {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == "bookworm") { print $i; exit }
      }
    ' "$f")"
    if [[ -n "$uri" ]]; then
      printf '%s\n' "$uri"
      return 0
    fi
  done
  return 1
}

MIRROR="${DEBIAN_MIRROR:-}"
if [[ -z "$MIRROR" ]]; then
  MIRROR="$(find_debian_uri)" ||
    die "no Debian apt entry with suite 'bookworm' found in /etc/apt/sources.list{,.d/*}; set DEBIAN_MIRROR=<uri of a Debian mirror>."
fi
MIRROR="${MIRROR%/}"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/backends.XXXXXX")"
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT

# download_deb SUITE PACKAGE DESTDIR -> path of the .deb in DESTDIR
# Runs apt-get with a private sources list/state/cache: nothing of the system changes.
# trixie's Release is signed by "Debian Archive Automatic Signing Key (13/trixie)",
# which debian-archive-keyring.gpg on bookworm already contains, so signatures are
# verified normally (no trusted=yes).
download_deb() {
  local suite="$1" pkg="$2" dest="$3" state="$TMP/apt-$1"
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$dest"
  echo "deb [signed-by=$KEYRING] $MIRROR $suite main" >"$state/sources.list"
  : >"$state/preferences"
  local -a opts=(
    -o "Dir::Etc::SourceList=$state/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::Etc::Preferences=$state/preferences"
    -o "Dir::Etc::PreferencesParts=/dev/null"
    -o "Dir::State::Lists=$state/lists"
    -o "Dir::Cache=$state/cache"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "APT::Sandbox::User=root"
    -o "Acquire::Languages=none"
  )
  if ! apt-get "${opts[@]}" -qq update >"$state/update.log" 2>&1 ||
    grep -qE '^(E: |W: Failed to fetch|W: Some index files failed)' "$state/update.log"; then
    cat "$state/update.log" >&2
    die "apt-get update for Debian $suite ($MIRROR) failed."
  fi
  grep '^W: ' "$state/update.log" >&2 || true
  if ! (cd "$dest" && apt-get "${opts[@]}" -qq download "$pkg") >"$state/download.log" 2>&1; then
    cat "$state/download.log" >&2
    die "apt-get download $pkg from Debian $suite failed."
  fi
  local deb
  deb="$(find "$dest" -maxdepth 1 -name "${pkg}_*.deb" -print -quit)"
  [[ -n "$deb" ]] || die "apt-get download $pkg from Debian $suite produced no .deb."
  printf '%s\n' "$deb"
}

# extract DEB FINALDIR: unpack next to FINALDIR, then swap it in.
extract() {
  local deb="$1" final="$2" staging="$2.new.$$"
  rm -rf "$staging"
  dpkg-deb -x "$deb" "$staging" || die "dpkg-deb -x $deb failed."
  echo "Debian package $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)" >"$staging/.deb-version"
  rm -rf "$final"
  mv "$staging" "$final"
}

if ! prometheus_ok; then
  echo "backends.sh: downloading prometheus from Debian bookworm ($MIRROR)..." >&2
  deb="$(download_deb bookworm prometheus "$TMP/debs-bookworm")"
  extract "$deb" "$PROM_DIR"
  prometheus_ok || die "prometheus/promtool extracted from $(basename "$deb") do not run (--version)."
fi

if ! victoria_ok; then
  echo "backends.sh: downloading victoria-metrics from Debian trixie ($MIRROR)..." >&2
  deb="$(download_deb trixie victoria-metrics "$TMP/debs-trixie")"
  extract "$deb" "$VM_DIR"
  victoria_ok || die "victoria-metrics extracted from $(basename "$deb") does not run (--version); files: $(ls "$VM_DIR/usr/bin" 2>/dev/null | tr '\n' ' ')"
fi

if ! alertmanager_ok; then
  echo "backends.sh: downloading prometheus-alertmanager from Debian bookworm ($MIRROR)..." >&2
  deb="$(download_deb bookworm prometheus-alertmanager "$TMP/debs-bookworm-am")"
  extract "$deb" "$AM_DIR"
  alertmanager_ok || die "prometheus-alertmanager/amtool extracted from $(basename "$deb") do not run (--version)."
fi
install_am_template

print_versions
