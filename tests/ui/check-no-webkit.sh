#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: check-no-webkit.sh ELF
#
# Fails when ELF needs WebKitGTK or its JavaScriptCore, in its own dynamic
# section or through any library it needs. The window's binary must not: the
# embedded sign-in's web view is a module loaded on demand
# (src/ui/arcpass-webview-loader.c), so that starting the window does not pay
# for a hundred more libraries.

set -eu

elf="$1"
[ -f "$elf" ] || { echo "$elf does not exist" >&2; exit 2; }

needed=$(readelf -d "$elf" | grep '(NEEDED)' || true)
resolved=$(ldd "$elf")

found=
for lib in libwebkitgtk libwebkit2gtk libjavascriptcoregtk; do
  if printf '%s\n%s\n' "$needed" "$resolved" | grep -q "$lib"; then
    echo "$elf needs $lib" >&2
    found=1
  fi
done

[ -z "$found" ] || exit 1
echo "$elf needs neither WebKitGTK nor JavaScriptCore"
