#!/usr/bin/env bash
# Builds llama.cpp's own tools (llama-server, llama-perplexity) from the exact llama.cpp release that
# node-llama-cpp binds (its git bundle), into a cache outside the repository keyed by the bundle's commit.
# Prints the folder holding the binaries. A cached build is reused; a first build takes many minutes.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bundle="$here/node_modules/node-llama-cpp/llama/gitRelease.bundle"
[ -f "$bundle" ] || { echo "llama.cpp bundle not found: $bundle (run npm ci first)" >&2; exit 1; }
commit="$(git bundle list-heads "$bundle" | awk 'NR==1{print $1}')"
cache="${GOODHART_LLAMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goodhart/llama.cpp}/$commit"
targets=(${GOODHART_LLAMA_TARGETS:-llama-server llama-perplexity})
missing=()
for t in "${targets[@]}"; do [ -x "$cache/bin/$t" ] || missing+=("$t"); done
if [ ${#missing[@]} -eq 0 ]; then echo "$cache/bin"; exit 0; fi
mkdir -p "$cache"
exec 9>"$cache/.lock"; flock 9
missing=()
for t in "${targets[@]}"; do [ -x "$cache/bin/$t" ] || missing+=("$t"); done
if [ ${#missing[@]} -eq 0 ]; then echo "$cache/bin"; exit 0; fi
src="$cache/src"
if [ ! -d "$src/.git" ]; then
  rm -rf "$src"
  git clone -q "$bundle" "$src" >&2
  git -C "$src" checkout -q "$commit" >&2
fi
start=$(date +%s)
cmake -S "$src" -B "$cache/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF >&2
cmake --build "$cache/build" --config Release -j "$(nproc)" --target "${missing[@]}" >&2
mkdir -p "$cache/bin"
for t in "${missing[@]}"; do cp "$cache/build/bin/$t" "$cache/bin/$t"; done
echo "built ${missing[*]} in $(( $(date +%s) - start )) s" >&2
echo "$cache/bin"
