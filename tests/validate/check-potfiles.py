#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when a source file with translatable strings is missing from
po/POTFILES.in, or when POTFILES.in names a file that does not exist.

usage: check-potfiles.py SOURCE_ROOT
"""
import os
import re
import sys

C_MARKERS = re.compile(r'(?<![A-Za-z0-9_])(_|N_|C_|NC_|ngettext|g_dngettext)\s*\(')
UI_MARKER = re.compile(r'translatable="yes"')


def translatable_files(root):
    found = set()
    for top in ('src', 'data'):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            for name in filenames:
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                try:
                    with open(path, encoding='utf-8') as f:
                        text = f.read()
                except (UnicodeDecodeError, OSError):
                    continue
                if name.endswith(('.c', '.h')):
                    # Ignore the markers inside comments.
                    code = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
                    code = re.sub(r'//[^\n]*', '', code)
                    if C_MARKERS.search(code):
                        found.add(rel)
                elif name.endswith('.ui'):
                    if UI_MARKER.search(text):
                        found.add(rel)
                elif name.endswith(('.desktop.in', '.metainfo.xml.in', '.gschema.xml')):
                    found.add(rel)
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else '.'
    potfiles = os.path.join(root, 'po', 'POTFILES.in')
    listed = set()
    with open(potfiles, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                listed.add(line)

    ok = True
    for rel in sorted(translatable_files(root) - listed):
        print(f'not in po/POTFILES.in but has translatable strings: {rel}')
        ok = False
    for rel in sorted(listed):
        if not os.path.exists(os.path.join(root, rel)):
            print(f'listed in po/POTFILES.in but missing: {rel}')
            ok = False
    if ok:
        print(f'po/POTFILES.in lists all {len(listed)} files with translatable strings')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
