#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a screen reader sees: the real `arcpass --sandbox` over AT-SPI.

test-a11y walks the widgets in process (GTK_A11Y=test). This test looks from
the outside, the way Orca does: it starts the accessibility bus in the test's
private session, runs the real application with GTK's AT-SPI backend, and
reads the tree through libatspi. It checks the names that assistive
technologies actually receive (GTK 4.8 computes them from properties and
content, and can produce names such as "_Add Account Add Account" that no
in-process check sees), and it drives the API-key flow through AT-SPI only:
the button's "click" action, the entry's EditableText interface, key presses
synthesised through the registry, as an assistive technology would.

The first case is a negative control: a small GTK 4 window with an icon
button that has no name, and a mnemonic button, must be reported.

Usage (meson passes these): test-atspi.py ARCPASS_EXE SANDBOX_HEADER
Runs inside tests/arcpass-test-session with ARCPASS_TEST_DISPLAY=1.
"""

import os
import re
import subprocess
import sys
import time
import traceback

import gi
import warnings

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

# get_action_name is deprecated for get_name, which the Python binding
# shadows with Accessible.get_name.
warnings.filterwarnings("ignore", category=DeprecationWarning)

# Roles a user operates; each needs a name a person can understand.
INTERACTIVE = {
    "push button", "toggle button", "check box", "radio button", "text",
    "password text", "entry", "combo box", "menu item", "check menu item",
    "radio menu item", "link", "spin button", "slider", "page tab",
    "page tab list", "switch", "list item", "menu button", "split button",
    # Read out when they appear.
    "alert",
}
TYPE_NAME = re.compile(r"^(Gtk|Adw|Arcpass|WebKit)[A-Z]\w*$")
MNEMONIC = re.compile(r"(^|\s)_\w")
DOUBLED = re.compile(r"^_?(.+) \1$")

results = []


def tap(ok, description, details=()):
    results.append(ok)
    print(("ok" if ok else "not ok"), len(results), "-", description, flush=True)
    for line in details:
        print("#", line, flush=True)


def name_problem(name):
    if not name or not name.strip():
        return "no name"
    if TYPE_NAME.match(name):
        return "only a type name"
    if MNEMONIC.search(name):
        return "mnemonic underscore read out"
    if DOUBLED.match(name):
        return "name read twice"
    return None


def children(acc):
    try:
        n = acc.get_child_count()
    except Exception:
        return []
    out = []
    for i in range(n):
        try:
            c = acc.get_child_at_index(i)
        except Exception:
            c = None
        if c is not None:
            out.append(c)
    return out


def showing(acc):
    # GTK 4.8 sets SHOWING on windows only; VISIBLE follows the widget's
    # visibility (unmapped pages of a stack or leaflet are included).
    try:
        return acc.get_state_set().contains(Atspi.StateType.VISIBLE)
    except Exception:
        return False


def walk(acc, path=(), depth=0):
    """Yields (accessible, path) for every showing descendant."""
    if depth > 80:
        return
    for child in children(acc):
        if not showing(child):
            continue
        try:
            label = "%s %r" % (child.get_role_name(), child.get_name())
        except Exception:
            continue
        p = path + (label,)
        yield child, p
        yield from walk(child, p, depth + 1)


def has_text(acc):
    """Whether an alert shows a message (labels of its buttons aside)."""
    return any(d.get_role_name() == "label" and (d.get_name() or "").strip()
               and "push button" not in p[-2]
               for d, p in walk(acc))


def problems(root):
    found = []
    for acc, path in walk(root):
        role = acc.get_role_name()
        if role not in INTERACTIVE:
            continue
        if role == "alert" and not has_text(acc):
            continue  # an empty error page, not shown: nothing is announced
        problem = name_problem(acc.get_name())
        if problem:
            # The named ancestors say where it is.
            where = [p for p in path[:-1] if not p.endswith("''")][-4:]
            found.append("%s: %s" % (problem, " > ".join(where + [path[-1]])))
    return found


def find(root, role, name=None, contains=None):
    for acc, _ in walk(root):
        try:
            if acc.get_role_name() != role:
                continue
            n = acc.get_name() or ""
        except Exception:
            continue
        if name is not None and n != name:
            continue
        if contains is not None and contains not in n:
            continue
        return acc
    return None


def wait_for(predicate, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError("timed out waiting for " + what)


def application(name):
    desktop = Atspi.get_desktop(0)
    for app in children(desktop):
        try:
            if app.get_name() == name and app.get_child_count() > 0:
                return app
        except Exception:
            pass
    return None


def do_action(acc, wanted="click"):
    for i in range(acc.get_n_actions()):
        if Atspi.Action.get_action_name(acc, i) == wanted:
            return acc.do_action(i)
    raise AssertionError("%s %r has no %r action" % (acc.get_role_name(), acc.get_name(), wanted))


KEYSYMS = {"Return": 0xFF0D, "Tab": 0xFF09, "Escape": 0xFF1B, "Down": 0xFF54}


def press(keysym_name):
    """A real key press: libatspi synthesises it through the X server."""
    Atspi.generate_keyboard_event(KEYSYMS[keysym_name], None, Atspi.KeySynthType.SYM)


def focused(root):
    for acc, _ in walk(root):
        try:
            if acc.get_state_set().contains(Atspi.StateType.FOCUSED):
                return acc
        except Exception:
            pass
    return None


def move_focus_to(root, role, name, key, limit=20):
    """Presses @key until the focused object is @role @name, as a person
    listening to the screen reader would."""
    for _ in range(limit):
        acc = focused(root)
        if acc is not None and acc.get_role_name() == role and acc.get_name() == name:
            return acc
        press(key)
        time.sleep(0.3)
    acc = focused(root)
    raise AssertionError("%s %r not reached with %s; focus is on %s" %
                         (role, name, key, acc and (acc.get_role_name(), acc.get_name())))


def start_a11y_bus():
    launcher = next((p for p in ("/usr/libexec/at-spi-bus-launcher",
                                  "/usr/lib/at-spi2-core/at-spi-bus-launcher")
                     if os.path.exists(p)), None)
    if launcher is None:
        print("1..0 # SKIP at-spi-bus-launcher is not installed (package at-spi2-core)")
        sys.exit(77)
    proc = subprocess.Popen([launcher, "--launch-immediately"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["gdbus", "wait", "--session", "--timeout", "20", "org.a11y.Bus"], check=True)
    return proc


def app_env():
    env = dict(os.environ)
    # The suite runs GTK with its in-process test backend; here the real
    # AT-SPI backend is the point.
    env.pop("NO_AT_BRIDGE", None)
    env.pop("GTK_A11Y", None)
    env["G_MESSAGES_DEBUG"] = ""
    return env


PROBE = r"""
import gi, sys
gi.require_version("Gtk", "4.0")
from gi.repository import Gtk
app = Gtk.Application(application_id="io.github.arcpass.AtspiProbe")
def activate(a):
    w = Gtk.ApplicationWindow(application=a, title="Probe")
    box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
    box.append(Gtk.Button(icon_name="edit-copy-symbolic"))
    box.append(Gtk.Button(label="_Mnemonic", use_underline=True))
    good = Gtk.Button(icon_name="edit-copy-symbolic")
    good.update_property([Gtk.AccessibleProperty.LABEL], ["Copy Token"])
    box.append(good)
    box.append(Gtk.Button(label="Plain Label"))
    w.set_child(box)
    w.present()
app.connect("activate", activate)
app.run([])
"""


def negative_control():
    proc = subprocess.Popen([sys.executable, "-c", PROBE], env=app_env())
    try:
        app = wait_for(lambda: application("python3") or application("test-atspi-probe"),
                       what="the probe window on the accessibility bus")
        frame = wait_for(lambda: find(app, "frame", "Probe"), what="the probe frame")
        wait_for(lambda: find(frame, "push button", "Plain Label"), what="the probe's buttons")
        found = problems(frame)
        kinds = sorted(p.split(":")[0] for p in found)
        ok = (kinds == ["mnemonic underscore read out", "only a type name"] and
              not any("Copy Token" in p or "Plain Label" in p for p in found))
        tap(ok, "the AT-SPI check reports an unnamed icon button and a mnemonic read out, "
            "and nothing else", found)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main():
    if len(sys.argv) != 3:
        print("usage: test-atspi.py ARCPASS_EXE SANDBOX_HEADER", file=sys.stderr)
        return 2
    arcpass, header = sys.argv[1], sys.argv[2]
    key = re.search(r'#define ARCPASS_SANDBOX_KEY_FULL \\\s*"([^"]+)"',
                    open(header, encoding="utf-8").read()).group(1)

    print("1..6", flush=True)
    bus = start_a11y_bus()
    app_proc = None
    window = None
    try:
        negative_control()

        app_proc = subprocess.Popen([arcpass, "--sandbox"], env=app_env(),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        app = wait_for(lambda: application("arcpass-gui"), what="Arcpass on the accessibility bus")
        window = wait_for(lambda: find(app, "frame", "Arcpass"), what="the Arcpass window")
        add = wait_for(lambda: find(window, "push button", contains="Add Account"),
                       what="the Add Account button")
        tap(not problems(window), "main window: every control has a clean name", problems(window))

        # The chooser, opened with the button's AT-SPI action.
        do_action(add)
        api_row = wait_for(lambda: find(window, "list item", "API Key"), what="the chooser's API Key row")
        tap(not problems(window), "add-account chooser: every choice has a clean name", problems(window))

        # GTK 4.8 does not implement Component.GrabFocus: reach the row with
        # the Down key, listening to what has focus, and press Enter.
        move_focus_to(window, "list item", "API Key", "Down")
        press("Return")
        page = wait_for(lambda: find(window, "panel", "Add API Key"), what="the API key page")
        entry = wait_for(lambda: find(page, "text", "API Key"), what="the API key entry")
        entry.set_text_contents(key)
        do_action(find(page, "push button", "Check Key"))
        add_button = wait_for(
            lambda: next((b for b, _ in walk(page)
                          if b.get_role_name() == "push button"
                          and b.get_name() == "Add Account"
                          and b.get_state_set().contains(Atspi.StateType.SENSITIVE)), None),
            what="the Add Account button to become sensitive after the key is checked")
        tap(not problems(window), "API key page: every control has a clean name", problems(window))
        do_action(add_button)

        # The account view.
        wait_for(lambda: find(window, "page tab", contains="Account"), what="the account view's tabs")
        wait_for(lambda: find(window, "push button", contains="Copy"), what="a Copy button")
        toasts = [p[-1] for a, p in walk(window)
                  if "AdwToastWidget" in " ".join(p[-2:-1]) and a.get_role_name() == "push button"]
        tap(not problems(window), "account view: every control has a clean name",
            problems(window) + ["toast buttons: %s" % toasts])

        # Copying is announced: a status/alert object carries the message.
        copy = find(window, "push button", contains="Copy")
        do_action(copy)

        def announced():
            for acc, _ in walk(app):
                if acc.get_role_name() in ("status bar", "alert", "notification", "label"):
                    if "opied" in (acc.get_name() or "") or "opied" in _text(acc):
                        return acc
            return None
        try:
            acc = wait_for(announced, timeout=20, what="the copy announcement")
            tap(acc.get_role_name() in ("status bar", "alert", "notification"),
                "copying a token is announced in a status object (%s)" % acc.get_role_name())
        except TimeoutError as e:
            tap(False, "copying a token is announced in a status object", [str(e)])
    except Exception as e:  # report, then fail the remaining cases
        where = traceback.extract_tb(e.__traceback__)[-1]
        details = ["%r at line %d: %s" % (e, where.lineno, where.line)]
        if window is not None:
            details += ["tree: " + " > ".join(p[-2:]) for _, p in walk(window)][:300]
        while len(results) < 6:
            tap(False, "not reached", details)
            details = details[:1]
    finally:
        if app_proc is not None:
            app_proc.terminate()
            try:
                _, err = app_proc.communicate(timeout=20)
                if err:
                    for line in err.decode(errors="replace").splitlines()[-20:]:
                        print("# arcpass:", line)
            except subprocess.TimeoutExpired:
                app_proc.kill()
        bus.terminate()
    return 0 if all(results) and len(results) == 6 else 1


def _text(acc):
    try:
        return acc.get_text(0, acc.get_character_count()) or ""
    except Exception:
        return ""


if __name__ == "__main__":
    sys.exit(main())
