#!/usr/bin/env bash
# Installs what building and testing Millennium needs on Debian 12, and
# nothing that is already there. Used by `make run`, `make test` and CI.
#   tests/setup-debian.sh          system packages for building and running
#   tests/setup-debian.sh --test   plus what the test suite needs (Taplo)
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(
  build-essential pkg-config            # C toolchain for -sys crates
  libwebkit2gtk-4.1-dev libxdo-dev      # wry (WebKitGTK) and tao
  libayatana-appindicator3-dev
  xvfb dbus webkit2gtk-driver imagemagick  # headless GUI tests and screenshots
  python3                               # the notes app's search sidecar (sqlite3, FTS5)
)
if [ "${1:-}" = "--test" ]; then
  packages+=(xdotool)                   # answers native dialogs in e2e tests
  packages+=(python3-gi)                # a stand-in notification service
  packages+=(weston)                    # a headless Wayland compositor, and its screenshots
  packages+=(lintian desktop-file-utils libxml2-utils)  # the .deb checks: lintian, desktop-file-validate, xmllint
  packages+=(x11-utils)                 # xprop: the window icon a packaged app sets
  packages+=(rpm rpmlint gpg)           # the .rpm checks: rpm -q/-K, rpmsign, rpmlint, a throwaway signing key
fi
if [ "${1:-}" = "--test" ] && ! command -v npm >/dev/null; then
  # The Taplo CLI checks our schema, and api-tour's sidecar runs on node. A
  # Node.js from elsewhere (with its own npm) conflicts with Debian's npm
  # package, so only install when absent.
  packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "setup: cargo not found. Millennium needs Rust 1.95 or newer (https://rustup.rs)." >&2
  exit 1
fi

if [ "${1:-}" = "--test" ]; then
  here="$(cd "$(dirname "$0")" && pwd)"
  if [ ! -x "$here/taplo/node_modules/.bin/taplo" ] || [ ! -x "$here/taplo/node_modules/.bin/tsc" ]; then
    echo "setup: installing the Taplo CLI and TypeScript (tests/taplo)"
    npm ci --prefix "$here/taplo" --no-audit --no-fund --loglevel=error
  fi
fi
