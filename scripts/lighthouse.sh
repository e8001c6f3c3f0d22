#!/usr/bin/env bash
# Lighthouse's mobile preset (its default) on the queue and a ticket page of
# a `serve --demo` instance, logged in as an agent by a session cookie passed
# in a header (no browser automation), with Debian's Chromium. Fails when a
# score of performance, accessibility or best practices is under the bar.
# Usage: scripts/lighthouse.sh BINARY [MIN_SCORE]   (make lighthouse)
set -euo pipefail
bin=${1:?binary}
min=${2:-95}
version=${LIGHTHOUSE_VERSION:-12.8.2}
chrome=${CHROME_PATH:-$(command -v chromium || command -v chromium-browser)}
out=${LIGHTHOUSE_OUT:-data/lighthouse}
port=${LIGHTHOUSE_PORT:-18960}
base=http://127.0.0.1:$port
mkdir -p "$out"
work=$(mktemp -d)
"$bin" serve --demo --db "$work/anxin.db" --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.5; done

# Log in as the demo agent: the login form's CSRF token, then the session cookie.
jar=$work/cookies
token=$(curl -fsS -c "$jar" -b "$jar" "$base/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "_csrf=$token" \
  --data-urlencode "email=agent1@anxin.demo" --data-urlencode "password=anxin-demo-2026" "$base/login"
cookie=$(awk '$6 == "anxin_session" { print $6 "=" $7 }' "$jar")
[ -n "$cookie" ] || { echo "lighthouse: could not log in" >&2; exit 1; }
ticket=$(curl -fsS -b "$jar" "$base/queue" | grep -o 'href="/tickets/AX-[0-9]*"' | head -1 | sed 's/href="//; s/"$//')

status=0
for page in /queue "$ticket"; do
  name=$(echo "$page" | tr '/' '-' | sed 's/^-//')
  CHROME_PATH=$chrome npx --yes "lighthouse@$version" "$base$page" --quiet \
    --only-categories=performance,accessibility,best-practices \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
    --extra-headers="{\"Cookie\": \"$cookie\"}" \
    --output=json --output=html --output-path="$out/$name"
  node -e '
    const r = require(process.argv[1]), min = Number(process.argv[3]);
    let ok = true;
    for (const [k, c] of Object.entries(r.categories)) {
      const s = Math.round(c.score * 100);
      console.log(`${process.argv[2]}  ${k}: ${s}`);
      if (s < min) ok = false;
    }
    process.exit(ok ? 0 : 1);' "$PWD/$out/$name.report.json" "$page" "$min" || status=1
done
echo "reports in $out"
exit $status
