#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails when the given executable links GTK, GDK, libadwaita, WebKit or
# cairo, directly (readelf NEEDED) or through another library (ldd).
# `arcpass` with a verb must not pay for loading them: cairo alone brings
# X11, xcb, fontconfig, freetype, pixman and libpng (its `--sandbox` runs
# the arcpass-sandbox executable, which has them, as a child instead).

set -eu

exe="$1"
needed=$(readelf -d "$exe" | grep NEEDED || true)
resolved=$(ldd "$exe")

status=0
for lib in libgtk-4 libgtk-3 libgdk libadwaita libwebkit libjavascriptcoregtk libcairo; do
  if printf '%s\n%s\n' "$needed" "$resolved" | grep -q "$lib"; then
    echo "$exe links $lib" >&2
    status=1
  fi
done

if [ $status -eq 0 ]; then
  echo "$exe links neither GTK, libadwaita, WebKit nor cairo"
fi
exit $status
