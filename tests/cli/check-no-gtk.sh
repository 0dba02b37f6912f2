#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails when the given executable links GTK, GDK, libadwaita or WebKit,
# directly (readelf NEEDED) or through another library (ldd). `arcpass` with
# a verb must not pay for loading them.

set -eu

exe="$1"
needed=$(readelf -d "$exe" | grep NEEDED || true)
resolved=$(ldd "$exe")

status=0
for lib in libgtk-4 libgtk-3 libgdk libadwaita libwebkit libjavascriptcoregtk; do
  if printf '%s\n%s\n' "$needed" "$resolved" | grep -q "$lib"; then
    echo "$exe links $lib" >&2
    status=1
  fi
done

if [ $status -eq 0 ]; then
  echo "$exe links neither GTK, libadwaita nor WebKit"
fi
exit $status
