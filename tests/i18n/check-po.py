#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the translations against the sources as they are now.

For every language in LINGUAS:
  1. msgfmt --check --check-format --check-accelerators=_ must accept the .po;
  2. the .po, merged with a template freshly extracted from the files of
     POTFILES.in (xgettext with the options of meson's `glib` preset), must
     have no untranslated and no fuzzy message.
The committed .po files are never modified, and no build output is used, so
the result does not depend on what was built before.
"""

import argparse
import os
import subprocess
import sys
import tempfile

# Keep in step with PRESET_ARGS['glib'] in mesonbuild/modules/i18n.py (meson 1.0)
# and with the extra arguments that `meson --internal gettext pot` adds.
GLIB_PRESET = [
    '--from-code=UTF-8',
    '--add-comments',
    '--keyword=_',
    '--keyword=N_',
    '--keyword=C_:1c,2',
    '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2',
    '--keyword=g_dngettext:2,3',
    '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format',
    '--flag=C_:2:pass-c-format',
    '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format',
    '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format',
    '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format',
    '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format',
    '--flag=g_log:3:c-format',
    '--flag=g_print:1:c-format',
    '--flag=g_printerr:1:c-format',
    '--flag=g_printf:1:c-format',
    '--flag=g_fprintf:2:c-format',
    '--flag=g_sprintf:2:c-format',
    '--flag=g_snprintf:3:c-format',
]


def read_list(path):
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                yield line


def run(cmd, **kwargs):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, **kwargs)


def unquote(s):
    # A PO string literal: "..." with C escapes.
    s = s.strip()[1:-1]
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == '\\' and i + 1 < len(s):
            i += 1
            out.append({'n': '\n', 't': '\t', '"': '"', '\\': '\\'}.get(s[i], '\\' + s[i]))
        else:
            out.append(c)
        i += 1
    return ''.join(out)


def messages(po_text):
    """Yields a dict (msgctxt, msgid, msgstrs, flags, refs) for each entry of a
    PO file, obsolete entries and the header left out."""
    entry, field = {}, None

    def done():
        if entry.get('msgid'):
            return {'msgctxt': entry.get('msgctxt'), 'msgid': entry['msgid'],
                    'msgstrs': [v for k, v in sorted(entry.items()) if k.startswith('msgstr')],
                    'flags': entry.get('flags', []), 'refs': entry.get('refs', [])}
        return None

    for line in po_text.splitlines() + ['']:
        if not line.strip():
            if done():
                yield done()
            entry, field = {}, None
        elif line.startswith('#:'):
            entry.setdefault('refs', []).extend(line[2:].split())
        elif line.startswith('#,'):
            entry.setdefault('flags', []).extend(f.strip() for f in line[2:].split(','))
        elif line.startswith('#'):
            continue
        elif line.startswith('"'):
            if field:
                entry[field] += unquote(line)
        else:
            field, _, value = line.partition(' ')
            entry[field] = unquote(value)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--source-root', required=True,
                        help='directory that the POTFILES.in entries are relative to')
    parser.add_argument('--potfiles', required=True)
    parser.add_argument('--po-dir', required=True, help='holds LINGUAS and <lang>.po')
    parser.add_argument('--package', default='arcpass')
    parser.add_argument('--xgettext', default='xgettext')
    parser.add_argument('--msgfmt', default='msgfmt')
    parser.add_argument('--msgmerge', default='msgmerge')
    parser.add_argument('--checks', default='msgfmt,complete',
                        help='comma-separated: msgfmt (compiles with all checks), '
                             'complete (nothing untranslated or fuzzy against the sources)')
    args = parser.parse_args()

    langs = list(read_list(os.path.join(args.po_dir, 'LINGUAS')))
    if not langs:
        print('LINGUAS lists no language')
        return 1
    sources = list(read_list(args.potfiles))
    for source in sources:
        if not os.path.isfile(os.path.join(args.source_root, source)):
            print(f'{args.potfiles}: {source} does not exist')
            return 1

    checks = set(args.checks.split(','))
    failures = 0

    if 'msgfmt' in checks:
        for lang in langs:
            po = os.path.join(args.po_dir, lang + '.po')
            result = run([args.msgfmt, '--check', '--check-format',
                          '--check-accelerators=_', '-o', os.devnull, po])
            if result.returncode != 0:
                print(f'{lang}: msgfmt --check --check-format --check-accelerators=_ failed:\n'
                      f'{result.stderr}')
                failures += 1
            else:
                print(f'{lang}: msgfmt checks pass')

    if 'complete' not in checks:
        return 1 if failures else 0

    with tempfile.TemporaryDirectory(prefix='check-po-') as tmp:
        listfile = os.path.join(tmp, 'POTFILES')
        with open(listfile, 'w', encoding='utf-8') as f:
            f.write('\n'.join(sources) + '\n')
        pot = os.path.join(tmp, args.package + '.pot')
        result = run([args.xgettext, '--package-name=' + args.package,
                      '-D', args.source_root, '-f', listfile, '-k_', '-o', pot]
                     + GLIB_PRESET)
        if result.returncode != 0 or not os.path.exists(pot):
            print('xgettext failed:\n' + result.stderr)
            return 1
        with open(pot, encoding='utf-8') as f:
            total = sum(1 for _ in messages(f.read()))
        print(f'fresh template: {total} messages from {len(sources)} files')

        for lang in langs:
            po = os.path.join(args.po_dir, lang + '.po')
            if not os.path.isfile(po):
                print(f'{lang}: {po} is missing')
                failures += 1
                continue
            merged = os.path.join(tmp, lang + '.po')
            result = run([args.msgmerge, '--quiet', '--previous', '--no-wrap',
                          '-o', merged, po, pot])
            if result.returncode != 0:
                print(f'{lang}: msgmerge failed:\n{result.stderr}')
                failures += 1
                continue
            with open(merged, encoding='utf-8') as f:
                entries = list(messages(f.read()))

            problems = []
            for e in entries:
                if 'fuzzy' in e['flags']:
                    what = 'fuzzy'
                elif not e['msgstrs'] or not all(e['msgstrs']):
                    what = 'untranslated'
                else:
                    continue
                where = e['refs'][0] if e['refs'] else '?'
                label = f"[{e['msgctxt']}] " if e['msgctxt'] else ''
                problems.append(f"  {what}: {where}: {label}{e['msgid']!r}")
            if problems:
                print(f'{lang}: {len(problems)} of {total} messages need translation '
                      '(`meson compile arcpass-pot arcpass-update-po`, then translate):')
                print('\n'.join(problems))
                failures += 1
            else:
                print(f'{lang}: complete ({len(entries)} messages)')

    return 1 if failures else 0

if __name__ == '__main__':
    sys.exit(main())
