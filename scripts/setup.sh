# Shared set-up for scripts/demo and scripts/test (sourced, not run).
# Installs missing Debian packages, then configures and builds with Meson.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Packages the build needs; scripts/test adds its own.
BUILD_PACKAGES=(gcc libc6-dev pkg-config meson ninja-build libprotobuf-c-dev protobuf-c-compiler python3)

install_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: run as root, or install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  local dir="$1"; shift
  if [ ! -f "$dir/build.ninja" ]; then
    echo "== meson setup $dir $*"
    meson setup "$dir" "$@" >/dev/null
  elif [ $# -gt 0 ]; then
    meson configure "$dir" "$@" >/dev/null   # an existing build gets the same options
  fi
  echo "== ninja -C $dir"
  ninja -C "$dir" >/dev/null
}
