#!/usr/bin/env bash
# The main job end to end on the bundled fixtures: installs what is missing, builds `registry`
# in release mode, then for every SavedModel under Fixtures/: inspect, verify, push into a
# scratch store, pull back and compare with the original (sha256 of every file); then a
# fine-tune pair with lineage, show and diff, `run` on stored versions, a removal, a garbage
# collection and fsck.
# Usage: Scripts/demo.sh [STORE]   (default: a new temporary directory, removed afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
swift build -c release --product registry
registry="$(swift build -c release --show-bin-path)/registry"
scratch=$(mktemp -d /tmp/registry-demo.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
store=${1:-$scratch/store}

status=0
for model in Fixtures/*/model; do
  name=$(basename "$(dirname "$model")")
  echo "=== $name"
  "$registry" inspect "$model" | sed -n '3p'
  "$registry" verify "$model" | tail -n 1
  "$registry" --store "$store" push "$model" --name "$name" --meta source=fixtures | sed -n '1,3p'
  "$registry" --store "$store" pull "$name" --to "$scratch/pulled/$name"
  if (cd "$model" && find . -type f -exec sha256sum {} + | sort -k2) \
    | cmp -s - <(cd "$scratch/pulled/$name" && find . -type f -exec sha256sum {} + | sort -k2); then
    echo "pulled copy is byte-identical"
  else
    echo "PULLED COPY DIFFERS" >&2
    status=1
  fi
done
echo "=== the fine-tune pair"
"$registry" --store "$store" push Fixtures/finetune_base/model --name mlp
"$registry" --store "$store" push Fixtures/finetune_head/model --name mlp --parent mlp:1 --alias candidate
"$registry" --store "$store" show mlp@candidate | sed -n '1,10p'
"$registry" --store "$store" diff mlp:1 mlp:2
echo "=== run stored versions without TensorFlow (the conformance tests compare these with TensorFlow)"
for name in keras2_mlp mobilenet_v2 attention lstm bidirectional_masked transformer_encoder text_vectorization string_lookup; do
  signature=serving_default
  inputs=()
  for file in Fixtures/$name/reference/inputs/$signature/*.npy; do
    inputs+=(--input "$(basename "$file" .npy)=$file")
  done
  "$registry" --store "$store" run "$name" "${inputs[@]}" --output-dir "$scratch/run/$name" | head -n 2
done
echo "=== list, a removal, a collection and a check"
"$registry" --store "$store" list
"$registry" --store "$store" rm finetune_head:1
"$registry" --store "$store" gc --grace 0s
"$registry" --store "$store" fsck || status=1
exit $status
