#!/usr/bin/env bash
# Creates .venv when missing and installs the project with EXTRAS (comma-separated, e.g. "local,test").
# Re-installs only when pyproject.toml or the extras change.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
extras="${EXTRAS:-}"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "autogpt-graph needs Python 3.11 or newer (python3 is $(python3 --version))." >&2; exit 1; }
  echo "Creating $venv ..."
  python3 -m venv "$venv"
fi
# bubblewrap isolates the sandbox that runs the model's code (tools/sandbox.py). Optional: without it
# the sandbox falls back to resource limits only, so a failed install never fails this script.
if ! command -v bwrap >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing bubblewrap for the code sandbox ..."
  { apt-get install -y -qq bubblewrap || { apt-get update -qq && apt-get install -y -qq bubblewrap; }; } >/dev/null 2>&1 \
    || echo "Could not install bubblewrap; code will run with resource limits only." >&2
fi
# Debian's chromium is the browser of the web UI's test (tests/test_webui.py drives it with Playwright,
# whose own browser download is not reachable everywhere). Optional here too: that test says why it skips.
if [[ ",$extras," == *",test,"* ]] && ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
   && [ "$(id -u)" = 0 ]; then
  echo "Installing chromium for the web UI's browser test ..."
  { apt-get install -y -qq chromium || { apt-get update -qq && apt-get install -y -qq chromium; }; } >/dev/null 2>&1 \
    || echo "Could not install chromium; the web UI's browser test will be skipped (and fail under CI=true)." >&2
fi
stamp="$venv/.installed-$( (cat "$here/pyproject.toml"; echo "$extras") | sha1sum | cut -c1-12)"
[ -f "$stamp" ] && exit 0

find_links=()
if [[ ",$extras," == *",local,"* ]]; then
  # llama-cpp-python has no wheel for this platform on the registry and builds llama.cpp from source.
  # The build targets this exact CPU, so the cached wheel is keyed by the CPU's flags.
  version="$(grep -o 'llama-cpp-python\[server\]==[0-9.]*' "$here/pyproject.toml" | cut -d= -f3)"
  # The recipe tag changes whenever the build flags below do, so an old wheel is never reused.
  cpu="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | sha1sum | cut -c1-12)-noamx1"
  wheels="${XDG_CACHE_HOME:-$HOME/.cache}/autogpt-graph/wheels/$cpu"
  if ! compgen -G "$wheels/llama_cpp_python-$version-*.whl" >/dev/null; then
    echo "Building llama-cpp-python $version from source for the local model: about 6.5 minutes on 2 cores,"
    echo "once (the wheel is cached in $wheels) ..."
    mkdir -p "$wheels"
    # Not GGML_NATIVE: on CPUs that report AMX, -march=native compiles llama.cpp's AMX kernels, which
    # segfault where the kernel does not grant AMX tiles (as here). Every other instruction set the
    # CPU reports is switched on, so the repacked AVX-512 kernels stay (generation is ~4x slower
    # without them).
    if [ -z "${CMAKE_ARGS:-}" ]; then
      flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
      CMAKE_ARGS="-DGGML_NATIVE=OFF"
      for pair in avx:AVX avx2:AVX2 fma:FMA f16c:F16C bmi2:BMI2 avx_vnni:AVX_VNNI avx512f:AVX512 \
                  avx512vbmi:AVX512_VBMI avx512_vnni:AVX512_VNNI avx512_bf16:AVX512_BF16; do
        [[ "$flags" == *" ${pair%%:*} "* ]] && CMAKE_ARGS="$CMAKE_ARGS -DGGML_${pair##*:}=ON"
      done
      export CMAKE_ARGS
    fi
    "$venv/bin/pip" wheel --quiet --no-cache-dir --no-deps "llama-cpp-python==$version" -w "$wheels"
  fi
  find_links=(--find-links "$wheels")
fi
echo "Installing autogpt-graph${extras:+[$extras]} into .venv ..."
target="$here"; [ -n "$extras" ] && target="$here[$extras]"
"$venv/bin/pip" install --quiet "${find_links[@]}" -e "$target"
rm -f "$venv"/.installed-* && touch "$stamp"
