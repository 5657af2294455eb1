#!/usr/bin/env bash
# The README's playground screenshots: the main view at 1280x800, English and Chinese, light and dark,
# taken by headless Chromium from the release build. A deployment's journey is playing; its pods run.
#   scripts/screenshots.sh            # trunk build --release, then the four shots into docs/
#   SKIP_BUILD=1 scripts/screenshots.sh   # reuse dist/
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/npm/node_modules/.bin:$HOME/.cargo/bin:$PATH"

if [ -z "${SKIP_BUILD:-}" ]; then
  cargo fetch
  trunk build --release
fi

port="${PORT:-8765}"
python3 -m http.server "$port" --bind 127.0.0.1 --directory dist >/dev/null 2>&1 &
server=$!
trap 'kill "$server"' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break
  sleep 0.1
done

# The commands run before the page first draws (the `run` fragment parameter), URL-encoded.
script=$'kubectl create deployment tomcat --image=tomcat:8 --replicas=3\nsleep 30'
run=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$script")

for lang in en zh-CN; do
  for theme in light dark; do
    out="docs/playground-${lang%%-*}-$theme.png"
    # The virtual time budget lets the page's own clock play the journey for a few steps.
    chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --window-size=1280,800 --virtual-time-budget="${BUDGET_MS:-9000}" \
      --screenshot="$PWD/$out" "http://127.0.0.1:$port/#lang=$lang&theme=$theme&run=$run" 2>/dev/null
    echo "$out"
  done
done
