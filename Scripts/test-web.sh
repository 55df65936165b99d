#!/usr/bin/env bash
# The web catalog in a real browser: builds a store holding the fine-tune fixtures (a lineage across
# two models, aliases, metadata and a model card), serves it with `registry serve` on a port the
# system picks (the catalog is mounted beside the REST API, as users run it), and loads every page in Debian's headless Chromium. For each page it checks the
# DOM Chromium built (--dump-dom) for the facts the page must show, and Chromium's log for console
# errors (a CSP violation, an exception in catalog.js); then it saves a screenshot of each page.
# A control page with a deliberate error proves the console check sees errors.
# Usage: Scripts/test-web.sh [SCREENSHOT_DIR]   (default: a temporary directory, printed)
# Needs: chromium (Scripts/install-deps.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

chromium=$(command -v chromium || true)
if [[ -z "$chromium" ]]; then
  echo "test-web: chromium is not installed (Scripts/install-deps.sh installs it)" >&2
  exit 1
fi

swift build --product registry >/dev/null
bin=$(swift build --show-bin-path)

work=$(mktemp -d /tmp/registry-test-web.XXXXXX)
shots=${1:-$work/screenshots}
mkdir -p "$shots"
server=""
cleanup() {
  if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work/store" "$work/profile" "$work/dom"
}
trap cleanup EXIT

store=$work/store
registry() { "$bin/registry" --store "$store" "$@" >/dev/null; }
registry push Fixtures/finetune_base/model --name clf --alias prod --meta team=search --meta owner=ml-platform \
  --message "Base MLP trained on the March snapshot"
registry push Fixtures/finetune_head/model --name clf --parent clf:1 --alias canary --meta team=search \
  --message "Fine-tuned head on April data"
registry push Fixtures/finetune_head/model --name team/tuned --parent clf:1 --message "Team copy of the new head"
cat >"$work/card.md" <<'CARD'
# clf — a small MLP classifier

Fine-tuned **head** on top of `clf:1`; the two hidden layers are shared byte for byte.

| split | accuracy |
|---|---|
| April validation | 0.94 |

- Inputs: six float features, standardised.
- Outputs: three class probabilities.

See the [training notes](https://example.com/notes). <script>alert("not run")</script>
CARD
registry card set clf:2 "$work/card.md"

"$bin/registry" --store "$store" serve --rest-port 0 --no-grpc >"$work/server.out" 2>"$work/server.err" &
server=$!
base=""
for _ in $(seq 1 600); do
  url=$(sed -n 's/^serving .* on \(http:[^ ]*\).*$/\1/p' "$work/server.out" 2>/dev/null || true)
  [[ -n "$url" ]] && { base="$url/ui/"; break; }
  kill -0 "$server" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$base" ]] || { echo "test-web: registry serve printed no address" >&2; exit 1; }
origin=${base%/ui/}
echo "test-web: serving $base"

mkdir -p "$work/dom" "$work/profile"
browse() { # MODE URL OUT LOG: runs headless Chromium, its log (console messages included) to LOG
  local mode=$1 url=$2 out=$3 log=$4
  local flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile"
    --enable-logging=stderr --v=0 --virtual-time-budget=3000)
  if [[ $mode == dom ]]; then
    timeout 60 "$chromium" "${flags[@]}" --dump-dom "$url" >"$out" 2>"$log"
  else
    timeout 60 "$chromium" "${flags[@]}" --window-size="$mode" --screenshot="$out" "$url" >/dev/null 2>"$log"
  fi
}
console_errors() { # LOG: console errors and uncaught exceptions Chromium logged
  grep -E 'CONSOLE|Uncaught|Content Security Policy|Refused to' "$1" | grep -viE 'DevTools|dbus' || true
}

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# The control: an inline script error must show up in the log, or the console check checks nothing.
browse dom "data:text/html,<p>x</p><script>console.error('control-error');undefinedFunction()</script>" \
  "$work/dom/control.html" "$work/dom/control.log"
if [[ -z "$(console_errors "$work/dom/control.log")" ]]; then
  fail "the console check did not see the control page's error; Chromium's log format changed?"
fi

# PAGE NAME, PATH, then the strings its DOM must contain.
check_page() {
  local name=$1 path=$2 before=$failures
  shift 2
  local dom=$work/dom/$name.html log=$work/dom/$name.log
  browse dom "$origin$path" "$dom" "$log"
  [[ -s "$dom" ]] || { fail "$name: Chromium returned no DOM for $path"; return; }
  for fact in "$@"; do
    grep -qF -- "$fact" "$dom" || fail "$name ($path): the DOM lacks: $fact"
  done
  local errors
  errors=$(console_errors "$log")
  [[ -z "$errors" ]] || fail "$name ($path): console errors: $errors"
  [[ $failures -eq $before ]] && echo "ok: $name ($path)"
  return 0
}

check_page models /ui/ 'href="/ui/models/clf"' '@prod → v1' '@canary → v2' 'href="/ui/models/team/tuned"'
check_page search '/ui/?q=op%3AMatMul' 'Matching versions' 'clf:2' 'team/tuned:1'
check_page model /ui/models/clf '<svg class="lineage"' '@prod' '@canary' 'href="/ui/models/clf/versions/2"' \
  'Fine-tuned head on April data'
check_page version /ui/models/clf/versions/2 'id="parent-link" href="/ui/models/clf/versions/1"' \
  'href="/ui/diff/clf/1..2"' '<h1>clf — a small MLP classifier</h1>' '<strong>head</strong>' \
  'href="https://example.com/notes"' '&lt;script&gt;alert("not run")&lt;/script&gt;' 'registry pull clf:2 --to ./clf' \
  'layer_with_weights-2/kernel' 'class="chip shared"'
check_page base /ui/models/clf/versions/1 'class="chip unique"' 'class="chip shared"' '@prod' 'Base MLP trained'
check_page tuned /ui/models/team/tuned/versions/1 'id="parent-link" href="/ui/models/clf/versions/1"' \
  'href="/ui/diff?from=clf:1&amp;to=team/tuned:1"'
check_page diff /ui/diff/clf/1..2 '<svg class="bars"' 'layer_with_weights-2/bias' 'layer_with_weights-2/kernel' \
  '2 changed'
check_page events '/ui/events?model=clf' 'card.set' 'push' 'href="/ui/models/clf/versions/2"'
check_page store /ui/store 'id="dedup-ratio"' '<svg class="growth"' 'live versions'
check_page missing /ui/models/nope 'Not found' 'no model named'
# catalog.js shows the copy buttons (hidden without it): it ran, under the page's CSP.
grep -qE '<button type="button" class="copy" data-copy="cmd-pull">' "$work/dom/version.html" \
  || fail "version: catalog.js did not run (the copy buttons are still hidden)"

# Screenshots: laptop and phone widths.
browse 1280,1000 "$origin/ui/models/clf/versions/2" "$shots/version.png" "$work/shot.log"
browse 1280,760 "$origin/ui/models/clf" "$shots/model.png" "$work/shot.log"
browse 1280,900 "$origin/ui/diff/clf/1..2" "$shots/diff.png" "$work/shot.log"
browse 1280,700 "$origin/ui/" "$shots/models.png" "$work/shot.log"
browse 1280,800 "$origin/ui/store" "$shots/store.png" "$work/shot.log"
browse 390,844 "$origin/ui/models/clf/versions/2" "$shots/version-phone.png" "$work/shot.log"
for shot in version model diff models store version-phone; do
  [[ -s "$shots/$shot.png" ]] || fail "no screenshot $shot.png"
done
echo "test-web: screenshots in $shots"

if [[ $failures -gt 0 ]]; then
  echo "test-web: $failures failure(s)" >&2
  exit 1
fi
echo "test-web: all pages passed"
