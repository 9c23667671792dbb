#!/usr/bin/env bash
# Qt needs a few shared libraries from the system. Offscreen (tests, screenshots) needs
# EGL/GL, fontconfig, xkbcommon, glib and dbus; a real window also needs the xcb ones.
# As root on Debian/Ubuntu we install what is missing; otherwise we say what to install.
set -euo pipefail
libs=(libEGL.so.1:libegl1 libGL.so.1:libgl1 libfontconfig.so.1:libfontconfig1
      libxkbcommon.so.0:libxkbcommon0 libglib-2.0.so.0:libglib2.0-0 libdbus-1.so.3:libdbus-1-3)
if [ "${1:-}" = "--gui" ]; then
  libs+=(libxcb-cursor.so.0:libxcb-cursor0 libxkbcommon-x11.so.0:libxkbcommon-x11-0
         libxcb-icccm.so.4:libxcb-icccm4 libxcb-image.so.0:libxcb-image0
         libxcb-keysyms.so.1:libxcb-keysyms1 libxcb-randr.so.0:libxcb-randr0
         libxcb-render-util.so.0:libxcb-render-util0 libxcb-shape.so.0:libxcb-shape0
         libxcb-xinerama.so.0:libxcb-xinerama0 libxcb-xkb.so.1:libxcb-xkb1)
fi
missing=()
for entry in "${libs[@]}"; do
  lib=${entry%%:*}; pkg=${entry##*:}
  ldconfig -p 2>/dev/null | grep -q "$lib" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system libraries Qt needs: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Qt needs these system packages: ${missing[*]}" >&2
  echo "Install them (e.g. sudo apt-get install ${missing[*]}) and run make again." >&2
  exit 1
fi
