#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Validates the Flatpak manifest and checks that `meson install` into a
staging prefix produces exactly the files the manifest's app expects.

The Flatpak runtime cannot be downloaded on the build machines, so this is
what can be checked without flatpak-builder.

usage: check-flatpak.py MANIFEST SOURCE_ROOT BUILD_ROOT
"""
import json
import os
import subprocess
import sys
import tempfile

APP_ID = 'io.github.arcpass.Arcpass'
ALLOWED_FINISH_ARGS = {
    '--share=network', '--share=ipc', '--socket=wayland', '--socket=fallback-x11',
    '--device=dri',
}
errors = []


def check(cond, message):
    if not cond:
        errors.append(message)


def check_manifest(manifest):
    check(manifest.get('id') == APP_ID, f'id must be {APP_ID}')
    check(manifest.get('runtime') == 'org.gnome.Platform', 'runtime must be org.gnome.Platform')
    check(manifest.get('sdk') == 'org.gnome.Sdk', 'sdk must be org.gnome.Sdk')
    version = manifest.get('runtime-version', '')
    # webkitgtk-6.0 is in the GNOME runtime from version 44 on.
    check(version.isdigit() and int(version) >= 44,
          'runtime-version must be a GNOME runtime >= 44 (webkitgtk-6.0)')
    check(manifest.get('command') == 'arcpass', 'command must be arcpass')
    finish = manifest.get('finish-args', [])
    check(set(finish) == ALLOWED_FINISH_ARGS,
          f'finish-args must be exactly {sorted(ALLOWED_FINISH_ARGS)}, got {finish}')
    for arg in finish:
        check(not arg.startswith('--filesystem'), f'no filesystem access: {arg}')
        check('org.freedesktop.secrets' not in arg,
              'libsecret uses the Secret portal inside Flatpak: no talk-name for secrets')
    modules = manifest.get('modules', [])
    check(len(modules) >= 1, 'at least one module')
    if modules:
        app = modules[-1]
        check(app.get('name') == 'arcpass', 'last module is arcpass')
        check(app.get('buildsystem') == 'meson', 'arcpass builds with meson')
        check(app.get('run-tests') is True, 'run-tests must be true')
        test_args = app.get('build-options', {}).get('test-args', [])
        check('--share=network' in test_args,
              'tests talk to the sandbox on loopback: test-args need --share=network')
        check(any(s.get('type') == 'dir' for s in app.get('sources', [])),
              'arcpass is built from this checkout (a dir source)')


def expected_files(source_root):
    with open(os.path.join(source_root, 'po', 'LINGUAS')) as f:
        linguas = [w for line in f for w in line.split() if not line.startswith('#')]
    files = {
        'bin/arcpass',
        'bin/arcpass-sandbox',
        'libexec/arcpass-gui',
        # The embedded sign-in's web view, loaded on demand by arcpass-gui.
        'lib/arcpass/arcpass-webview.so',
        f'share/applications/{APP_ID}.desktop',
        f'share/metainfo/{APP_ID}.metainfo.xml',
        f'share/glib-2.0/schemas/{APP_ID}.gschema.xml',
        f'share/dbus-1/services/{APP_ID}.service',
        f'share/icons/hicolor/scalable/apps/{APP_ID}.svg',
        f'share/icons/hicolor/symbolic/apps/{APP_ID}-symbolic.svg',
    }
    for lang in linguas:
        files.add(f'share/locale/{lang}/LC_MESSAGES/arcpass.mo')
    return files


def check_install(source_root, build_root):
    with tempfile.TemporaryDirectory() as destdir:
        env = dict(os.environ)
        proc = subprocess.run(
            ['meson', 'install', '--no-rebuild', '--quiet', '-C', build_root,
             '--destdir', destdir],
            env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            errors.append('meson install failed:\n' + proc.stdout + proc.stderr)
            return
        prefix = subprocess.run(
            ['meson', 'introspect', '--buildoptions', build_root],
            capture_output=True, text=True, check=True)
        options = {o['name']: o['value'] for o in json.loads(prefix.stdout)}
        root = os.path.join(destdir, options['prefix'].lstrip('/'))
        installed = set()
        for dirpath, _, filenames in os.walk(root):
            for name in filenames:
                installed.add(os.path.relpath(os.path.join(dirpath, name), root))
        # Normalise the libexec, bin and lib directory names to the defaults
        # (Flatpak's libdir is lib; Debian's is lib/<multiarch triplet>).
        libexec = options.get('libexecdir', 'libexec')
        bindir = options.get('bindir', 'bin')
        libdir = options.get('libdir', 'lib')
        normalised = set()
        for path in installed:
            if path.startswith(libexec + '/'):
                path = 'libexec/' + path[len(libexec) + 1:]
            elif path.startswith(bindir + '/'):
                path = 'bin/' + path[len(bindir) + 1:]
            elif path.startswith(libdir + '/'):
                path = 'lib/' + path[len(libdir) + 1:]
            normalised.add(path)
        expected = expected_files(source_root)
        for path in sorted(expected - normalised):
            errors.append(f'not installed: {path}')
        for path in sorted(normalised - expected):
            errors.append(f'installed but not expected by the manifest check: {path}')
        service = os.path.join(root, 'share', 'dbus-1', 'services', f'{APP_ID}.service')
        if os.path.exists(service):
            with open(service) as f:
                text = f.read()
            check(f'Exec={options["prefix"]}/{libexec}/arcpass-gui' in text,
                  'D-Bus service must execute the installed arcpass-gui')


def main():
    manifest_path, source_root, build_root = sys.argv[1:4]
    with open(manifest_path) as f:
        try:
            manifest = json.load(f)
        except json.JSONDecodeError as e:
            print(f'{manifest_path}: invalid JSON: {e}')
            return 1
    check_manifest(manifest)
    if '--manifest-only' not in sys.argv:
        check_install(source_root, build_root)
    for e in errors:
        print(e)
    if not errors:
        print('manifest and staged install agree')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
