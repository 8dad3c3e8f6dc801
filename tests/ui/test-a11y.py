#!/usr/bin/python3
"""test-a11y.py A11Y_APP: the station window as a screen reader sees it, from outside, over AT-SPI.

Starts its own X server (Xvfb, with a private cookie), session bus, accessibility bus (at-spi-bus-launcher) and
registry (at-spi2-registryd), all on sockets in a private directory, then runs A11Y_APP (tests/ui/a11y-app.c:
the window over a filled store, sign-in dialog up) with GTK's accessibility on, and checks:

  names     every control that can be operated (focusable, or offering an AT-SPI action) and is on screen has a
            real accessible name: not empty, not GTK 4.8's fallback to the widget's type name (an unnamed
            GtkToggleButton is read out as "GtkToggleButton"), not a raw mnemonic ("_Quit"). Checked in the
            sign-in dialog, in each of the four views, and in the main menu.
  keyboard  signing in with the keyboard only (type, Tab, Return), Tab reaching the dialog's buttons; each view
            reached by its shortcut (Ctrl+1..4, data/ui/help-overlay.ui) and by its mnemonic (Alt+D, R, S, L),
            holding focusable controls that Tab reaches and leaves; a rejected card selected with Tab and Space;
            F10 opening the main menu; Ctrl+Q quitting.

Offenders are reported with their role, name and path. Every part it needs must be installed (.ci/packages): a
missing one fails the test, it never skips. Every process it started is stopped at the end.
"""
import importlib.util
import os
import sys

# pyatspi is Debian's (python3-pyatspi), importable by Debian's Python only, which may not be first on PATH. Only
# looked for here: libatspi reads the bus addresses when first used, which must be after the private buses are up.
DEBIAN_PYTHON = "/usr/bin/python3"
if importlib.util.find_spec("pyatspi") is None:
    if os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON) and os.access(DEBIAN_PYTHON, os.X_OK):
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON] + sys.argv)
    print("FAIL: python3-pyatspi is not installed (it is in .ci/packages; run .ci/install-deps)", file=sys.stderr)
    sys.exit(1)

import ctypes
import re
import secrets
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import time

APP_NAME = "cardline-a11y"  # g_set_prgname in a11y-app.c
PASSWORD = "correct horse battery"  # CL_TEST_PASSWORD, tests/ui/cl-test-store.h
USER, SIGNED_IN_TEXT = "sam", "sam · SUPERVISOR"  # the supervisor: every view's controls enabled
# (shortcut, mnemonic of the view switcher's page title, title, view widget), in an order in which each switch is a
# change from the window's first view, the Line.
VIEWS = [("ctrl+2", "alt+d", "Dashboard", "ClDashboardView"), ("ctrl+3", "alt+r", "Rejects", "ClRejectsView"),
         ("ctrl+4", "alt+s", "Setup", "ClSetupView"), ("ctrl+1", "alt+l", "Line", "ClLineView")]
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
REGISTRYD = "/usr/libexec/at-spi2-registryd"
TIMEOUT = 30.0
# The sanitizer and valgrind setups run the application many times slower (meson.build sets the factor): every bound
# this test waits for is that much longer there.
SCALE = float(os.environ.get("CARDLINE_TEST_TIMEOUT_SCALE", "1") or 1)

failures = []


def fail(message):
    failures.append(message)
    print(f"not ok - {message}", flush=True)


def ok(message):
    print(f"ok - {message}", flush=True)


class Abort(Exception):
    """A step the rest depends on failed."""


class Stopped(BaseException):
    """SIGTERM or SIGINT: not an Exception, so that no check swallows it on its way out."""


def wait_for(what, predicate, timeout=TIMEOUT, interval=0.1):
    timeout *= SCALE
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise Abort(f"timed out after {timeout:.0f} s waiting for {what}")
        pump(interval)


# ---- the private desktop: X server, buses, registry ----

PR_SET_PDEATHSIG = 1
# Looked up here, not between fork and exec, where loading anything could deadlock.
prctl = ctypes.CDLL(None, use_errno=True).prctl


def die_with_parent():
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def run(argv, env, timeout=10):
    """Runs a short command; None if it hangs (the caller then fails on what it was waiting for)."""
    try:
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


class Desktop:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="cardline-a11y-")
        self.runtime = os.path.join(self.dir, "run")
        os.mkdir(self.runtime, 0o700)
        self.procs = []
        self.logs = {}
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DISPLAY", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS", "AT_SPI_BUS_ADDRESS",
                                 "WAYLAND_DISPLAY", "GTK_A11Y", "NO_AT_BRIDGE")}
        for var, sub in (("XDG_RUNTIME_DIR", "run"), ("HOME", "home"), ("XDG_CONFIG_HOME", "home/config"),
                         ("XDG_CACHE_HOME", "home/cache"), ("XDG_DATA_HOME", "home/data"),
                         ("XDG_STATE_HOME", "home/state")):
            path = os.path.join(self.dir, sub)
            os.makedirs(path, 0o700, exist_ok=True)
            self.env[var] = path
        self.env["TMPDIR"] = self.dir  # the application's store (cl_test_store_new) goes with the rest

    def spawn(self, name, argv, **kwargs):
        log = open(os.path.join(self.dir, f"{name}.log"), "wb")
        self.logs[name] = log.name
        # Own process group: stopping it takes whatever it started (the launcher's bus daemon) along. And it
        # dies with this test, should the test itself be killed before it could stop it.
        proc = subprocess.Popen(argv, env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=die_with_parent, **kwargs)
        log.close()
        self.procs.append((name, proc))
        return proc

    def log_tail(self, name, lines=40):
        """The log's last lines, without GTK 4.8's warning on each of this test's extents queries, which would
        push what the application said last out of the tail."""
        try:
            with open(self.logs[name], errors="replace") as f:
                kept = [line for line in f if line.strip() and "Screen coordinates not supported" not in line]
        except (KeyError, OSError):
            return ""
        return "".join(kept[-lines:])

    def start_x(self):
        # A wildcard cookie (family FamilyWild, no display number) matches whichever display Xvfb picks.
        cookie = secrets.token_bytes(16)
        xauth = os.path.join(self.dir, "Xauthority")
        with open(xauth, "wb") as f:
            f.write(struct.pack(">H", 0xFFFF))
            for field in (b"", b"", b"MIT-MAGIC-COOKIE-1", cookie):  # address, display number, name, data
                f.write(struct.pack(">H", len(field)) + field)
        read_end, write_end = os.pipe()
        self.spawn("xvfb", ["Xvfb", "-displayfd", str(write_end), "-auth", xauth, "-nolisten", "tcp",
                            "-screen", "0", "1280x800x24"], pass_fds=(write_end,))
        os.close(write_end)
        display = b""
        deadline = time.monotonic() + TIMEOUT
        while not display.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([read_end], [], [], remaining)[0]:
                break
            chunk = os.read(read_end, 16)
            if not chunk:  # Xvfb exited
                break
            display += chunk
        os.close(read_end)
        if not display.strip():
            raise Abort(f"Xvfb did not start:\n{self.log_tail('xvfb')}")
        self.env["DISPLAY"] = ":" + display.decode().strip()
        self.env["XAUTHORITY"] = xauth

    def start_session_bus(self):
        address = "unix:path=" + os.path.join(self.runtime, "bus")
        self.spawn("dbus", ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--address=" + address])
        wait_for("the session bus socket", lambda: os.path.exists(os.path.join(self.runtime, "bus")))
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address

    def start_accessibility_bus(self):
        self.spawn("at-spi-bus-launcher", [BUS_LAUNCHER, "--launch-immediately"])
        address = wait_for("org.a11y.Bus on the session bus", self._a11y_bus_address)
        # Both the application and this test then use this bus without asking the session bus again.
        self.env["AT_SPI_BUS_ADDRESS"] = address
        self.spawn("at-spi2-registryd", [REGISTRYD])
        wait_for("the AT-SPI registry", lambda: self._has_owner(address, "org.a11y.atspi.Registry"))

    def _a11y_bus_address(self):
        result = run(["gdbus", "call", "--address", self.env["DBUS_SESSION_BUS_ADDRESS"], "--dest", "org.a11y.Bus",
                      "--object-path", "/org/a11y/bus", "--method", "org.a11y.Bus.GetAddress"], self.env)
        match = result and re.search(r"'([^']+)'", result.stdout)
        return match.group(1) if result and result.returncode == 0 and match else None

    def _has_owner(self, address, name):
        result = run(["gdbus", "call", "--address", address, "--dest", "org.freedesktop.DBus", "--object-path",
                      "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.NameHasOwner", name], self.env)
        return result is not None and "true" in result.stdout

    def stop(self):
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def check_prerequisites():
    missing = []
    for program, package in (("Xvfb", "xvfb"), ("dbus-daemon", "dbus-daemon"), ("gdbus", "libglib2.0-bin"),
                             ("xdotool", "xdotool")):
        if shutil.which(program) is None:
            missing.append(f"{program} (package {package})")
    for program in (BUS_LAUNCHER, REGISTRYD):
        if not os.access(program, os.X_OK):
            missing.append(f"{program} (package at-spi2-core)")
    if missing:
        raise Abort("missing, install with .ci/install-deps: " + ", ".join(missing))


# ---- AT-SPI ----

CONTROL_ROLES = {}
GLib = None


def init_atspi():
    global pyatspi, GLib, CONTROL_ROLES
    import pyatspi
    from gi.repository import GLib as glib

    GLib = glib

    # GTK 4.8 has no AT-SPI cache object; libatspi warns once that it asked for one. Not a finding.
    def log_handler(domain, level, message, data):
        if "/org/a11y/atspi/cache" not in message:
            GLib.log_default_handler(domain, level, message, data)

    GLib.log_set_handler("dbind", GLib.LogLevelFlags.LEVEL_WARNING, log_handler, None)
    names = ["PUSH_BUTTON", "TOGGLE_BUTTON", "CHECK_BOX", "RADIO_BUTTON", "COMBO_BOX", "ENTRY", "TEXT",
             "PASSWORD_TEXT", "SPIN_BUTTON", "SLIDER", "SWITCH", "PAGE_TAB", "MENU_ITEM", "CHECK_MENU_ITEM",
             "RADIO_MENU_ITEM", "LINK", "LIST_ITEM", "TABLE_ROW", "TABLE_CELL", "TREE_ITEM"]
    CONTROL_ROLES = {getattr(pyatspi, "ROLE_" + n): n.lower().replace("_", " ") for n in names
                     if hasattr(pyatspi, "ROLE_" + n)}


def pump(seconds):
    """Lets AT-SPI events in (they are dispatched from GLib's default main context) for about this long."""
    deadline = time.monotonic() + seconds
    context = GLib.MainContext.default() if GLib else None
    while True:
        while context is not None and context.pending():
            context.iteration(False)
        if time.monotonic() >= deadline:
            return
        time.sleep(0.02)


def safe(call, default=None):
    try:
        return call()
    except Exception:  # an object that went away (defunct) mid-walk, or an interface it lacks
        return default


def children(obj):
    count = safe(lambda: obj.childCount, 0) or 0
    return [c for c in (safe(lambda i=i: obj.getChildAtIndex(i)) for i in range(count)) if c is not None]


def states(obj):
    return safe(lambda: set(obj.getState().getStates()), set())


def extents(obj):
    ext = safe(lambda: obj.queryComponent().getExtents(pyatspi.DESKTOP_COORDS))
    return None if ext is None else (ext.x, ext.y, ext.width, ext.height)


def on_screen(obj):
    # GTK 4.8 sets VISIBLE on everything and SHOWING on windows only; an unmapped widget (a hidden view, the
    # squeezed-out view switcher) has empty extents, which is what tells it from one on screen.
    ext = extents(obj)
    return ext is not None and ext[2] > 0 and ext[3] > 0


def n_actions(obj):
    return safe(lambda: obj.queryAction().nActions, 0) or 0


def describe(obj):
    return f"{safe(obj.getRoleName, '?')} {safe(lambda: obj.name, '')!r}"


def walk(root, path=()):
    """(object, path) for root and its descendants on screen; unmapped subtrees are skipped whole."""
    ext = extents(root)
    if ext is not None and (ext[2] <= 0 or ext[3] <= 0):
        return
    path = path + (root,)
    yield root, path
    for child in children(root):
        yield from walk(child, path)


def path_text(path):
    parts = []
    for obj in path:
        name = safe(lambda: obj.name, "") or ""
        role = safe(obj.getRoleName, "?")
        if name:
            parts.append(f"{role} {name!r}" if obj is path[-1] or role not in ("panel", "filler") else name)
        elif obj is path[-1]:
            parts.append(role)
    return " > ".join(parts)


TYPE_NAME = re.compile(r"^(Gtk|Adw|Cl|Gdk)[A-Z][A-Za-z0-9]*$")
RAW_MNEMONIC = re.compile(r"(^|\s)_[^\s_]")


def name_problem(name):
    name = (name or "").strip()
    if not name:
        return "no accessible name"
    if TYPE_NAME.match(name):
        return "no accessible name (GTK shows the widget type)"
    if RAW_MNEMONIC.search(name):
        return "name shows the raw mnemonic underscore"
    return None


def actionable(obj, st):
    return pyatspi.STATE_FOCUSABLE in st or n_actions(obj) > 0


def text_content(obj):
    """The text a screen reader reads out of obj's descendants (what a list item without a name says)."""
    texts = []
    for child, _ in walk(obj):
        if child is not obj and safe(child.getRole) == pyatspi.ROLE_LABEL:
            name = safe(lambda: child.name, "") or ""
            if name.strip() and not TYPE_NAME.match(name):
                texts.append(name.strip())
    return " ".join(texts)


named_by_content = {}


def name_offenders(root):
    """[(key, text)] for the controls under root that are on screen, operable, and badly named."""
    found = []
    for obj, path in walk(root):
        role = safe(obj.getRole)
        if role not in CONTROL_ROLES:
            continue
        st = states(obj)
        if not actionable(obj, st):
            continue
        name = safe(lambda: obj.name, "") or ""
        problem = name_problem(name)
        # GTK 4.8 has no API to name a list view's row (4.12 adds gtk_list_item_set_accessible_label) and leaves
        # it empty, not a type name; a screen reader then reads the row's text, as ARIA's name from content.
        # Empty and textless is still an offender; a type name is always one, as that is what gets read.
        if problem and role == pyatspi.ROLE_LIST_ITEM and not name.strip():
            if text_content(obj):
                key = tuple(safe(lambda o=o: o.getIndexInParent(), -1) for o in path)
                named_by_content.setdefault(path_text(path[:-1]), set()).add(key)
                continue
        if problem:
            key = tuple(safe(lambda o=o: o.getIndexInParent(), -1) for o in path)
            found.append((key, f"{CONTROL_ROLES[role]} {safe(lambda: obj.name, '')!r}: {problem}\n"
                               f"      at {path_text(path)}"))
    return found


def find(root, predicate):
    """The first object on screen under root (root included) for which predicate holds."""
    for obj, _ in walk(root):
        if safe(lambda: predicate(obj), False):
            return obj
    return None


def focused_in(root):
    return find(root, lambda o: pyatspi.STATE_FOCUSED in states(o))


def is_inside(obj, ancestor_name):
    for _ in range(64):
        obj = safe(lambda: obj.parent)
        if obj is None:
            return False
        if safe(lambda: obj.name) == ancestor_name:
            return True
    return False


class FocusLog:
    """The objects that took the keyboard focus, from AT-SPI's focus events, in order."""

    def __init__(self):
        self.events = []
        pyatspi.Registry.registerEventListener(self._on_event, "object:state-changed:focused")

    def _on_event(self, event):
        if event.detail1:
            self.events.append(event.source)

    def clear(self):
        pump(0.2)
        self.events.clear()

    def after(self, count, timeout=3.0):
        """The object focused by the first event after the first count ones, once it came; None if none came."""
        deadline = time.monotonic() + timeout * SCALE
        while len(self.events) <= count and time.monotonic() < deadline:
            pump(0.05)
        pump(0.1)  # a move can come as several events (the window first, then the widget): take the last
        return self.events[-1] if len(self.events) > count else None


# ---- the application ----


class App:
    def __init__(self, desktop, program):
        self.desktop = desktop
        self.proc = desktop.spawn("app", [program])
        self.node = None

    def find_node(self):
        self.exited()
        desktop = pyatspi.Registry.getDesktop(0)
        for app in children(desktop):
            if safe(lambda: app.name) == APP_NAME and safe(app.get_process_id) == self.proc.pid:
                self.node = app
                return app
        return None

    def exited(self):
        if self.proc.poll() is not None:
            raise Abort(f"the application exited with status {self.proc.returncode}:\n"
                        f"{self.desktop.log_tail('app')}")

    def toplevels(self):
        """What AT-SPI shows of the application's toplevels, for a failure's message."""
        return ", ".join(f"{describe(w)} at {extents(w)}" for w in children(self.node)) or "none"

    def window(self, title):
        """The toplevel with this title, if it is on screen; toplevels are the application's children."""
        self.exited()
        for window in children(self.node) if self.node else []:
            if safe(lambda: window.name) == title and safe(window.getRole) == pyatspi.ROLE_FRAME and on_screen(window):
                return window
        return None

    def x_window(self, title):
        """The X window id of the toplevel with this title, for xdotool."""
        result = run(["xdotool", "search", "--all", "--pid", str(self.proc.pid), "--name", f"^{re.escape(title)}$"],
                     self.desktop.env)
        ids = result.stdout.split() if result else []
        return ids[-1] if ids else None

    def focus(self, title):
        wid = wait_for(f"the X window “{title}”", lambda: self.x_window(title))
        xdotool(self.desktop, "windowfocus", "--sync", wid)
        pump(0.3)


def xdotool(desktop, *args):
    result = run(["xdotool", *args], desktop.env, timeout=20 * SCALE)
    if result is None:
        raise Abort(f"xdotool {' '.join(args)} hung for {20 * SCALE:.0f} s")
    if result.returncode != 0:
        raise Abort(f"xdotool {' '.join(args)} failed: {result.stderr.strip()}")


def key(desktop, *keys):
    xdotool(desktop, "key", "--clearmodifiers", "--delay", "60", *keys)
    pump(0.3)


def type_text(desktop, text):
    xdotool(desktop, "type", "--clearmodifiers", "--delay", "40", text)
    pump(0.3)


# ---- the checks ----

reported = {}


def report_names(where, root):
    """Fails on the offenders under root; one seen before (the header bar's, in every view) is said once."""
    all_offenders = name_offenders(root)
    offenders = [(k, t) for k, t in all_offenders if k not in reported]
    for k, t in offenders:
        reported[k] = where
    if offenders:
        fail(f"{where}: {len(offenders)} control(s) without a usable accessible name:\n"
             + "\n".join("    " + t for _, t in offenders))
    elif all_offenders:
        ok(f"{where}: no control without a usable name besides the {len(all_offenders)} reported above")
    else:
        ok(f"{where}: every operable control on screen has an accessible name")


def tab_through(desktop, root, focus_log, stop, limit=60):
    """Presses Tab until stop(focused) or limit presses; returns the focused objects in order."""
    seen = []
    focus_log.clear()
    for _ in range(limit):
        count = len(focus_log.events)
        xdotool(desktop, "key", "--clearmodifiers", "Tab")
        # Waits for the move, so that a slow machine does not make the test look at the focus of the last press.
        # Some widgets (libadwaita 1.2's entry rows) take the focus without saying so; then the tree is asked.
        current = focus_log.after(count) or focused_in(root)
        if current is not None:
            seen.append(current)
            if stop(current, seen):
                break
    return seen


def settle_focus(desktop, root, target, limit=12):
    """Leaves the focus on target, by Tab if it is not there, as the tree says (not the focus events, which can come
    seconds late on a loaded machine) for half a second: the Return that follows must press target and no other
    (Return on the button before Sign In quits the application)."""
    for _ in range(limit):
        try:
            wait_for(f"the focus on {describe(target)}", lambda: focused_in(root) == target, timeout=3)
            pump(0.5)
            if focused_in(root) == target:
                return
        except Abort:
            pass
        key(desktop, "Tab")
    raise Abort(f"the focus never stayed on {describe(target)}; it is on {describe(focused_in(root))}")


def check_sign_in(desktop, app, focus_log):
    dialog = wait_for("the sign-in dialog", lambda: app.window("Sign In"))
    report_names("sign-in dialog", dialog)

    buttons = [o for o, _ in walk(dialog) if safe(o.getRole) == pyatspi.ROLE_PUSH_BUTTON]
    dead = [describe(b) for b in buttons if pyatspi.STATE_SENSITIVE not in states(b)]
    if dead:
        fail("sign-in dialog: button(s) that cannot be used, by keyboard or otherwise (insensitive): "
             + ", ".join(dead))

    # The user name has the focus when the dialog opens; the password is one Tab further.
    app.focus("Sign In")
    type_text(desktop, USER)
    key(desktop, "Tab")
    type_text(desktop, PASSWORD)

    sign_in = find(dialog, lambda o: safe(o.getRole) == pyatspi.ROLE_PUSH_BUTTON and "Sign In" in o.name)
    if sign_in is None:
        raise Abort("sign-in dialog: no “Sign In” button")
    seen = tab_through(desktop, dialog, focus_log, lambda current, seen: current == sign_in, limit=12)
    reachable = [b for b in buttons if pyatspi.STATE_FOCUSABLE in states(b)]
    missed = [describe(b) for b in reachable if b not in seen]
    if not seen or seen[-1] != sign_in:
        fail("sign-in dialog: Tab never reached the Sign In button; focus went to: "
             + (", ".join(describe(o) for o in seen) or "nothing AT-SPI could see"))
    elif missed:
        fail("sign-in dialog: Tab skipped: " + ", ".join(missed))
    else:
        ok("sign-in dialog: Tab goes from the password through every button to Sign In")

    # Return on the focused Sign In button signs in; the dialog goes and the window shows who signed in.
    settle_focus(desktop, dialog, sign_in)
    key(desktop, "Return")
    try:
        main = wait_for("the main window", lambda: app.window("Cardline"))
    except Abort as e:
        raise Abort(f"{e}; the application's toplevels: {app.toplevels()}")
    try:
        wait_for(f"“{SIGNED_IN_TEXT}” in the header bar (signed in with the keyboard)",
                 lambda: find(main, lambda o: o.name == SIGNED_IN_TEXT), timeout=60)
    except Abort:
        still = app.window("Sign In")
        error = still and find(still, lambda o: safe(o.getRole) == pyatspi.ROLE_LABEL and "wrong" in o.name)
        raise Abort("signing in with the keyboard failed" + (f": the dialog says “{error.name}”" if error else ""))
    ok("signed in with the keyboard only")
    return main


def show_view(desktop, main, keys, title, view_name):
    """Presses keys; returns the view's node once its page tab is selected and it is on screen."""
    key(desktop, keys)
    wait_for(f"{keys} to select the {title} view",
             lambda: find(main, lambda o: safe(o.getRole) == pyatspi.ROLE_PAGE_TAB and o.name == title
                          and pyatspi.STATE_SELECTED in states(o)), timeout=10)
    # The views have no name of their own: GTK 4.8 names them after their type (see name_problem).
    return wait_for(f"the {title} view on screen", lambda: find(main, lambda o: o.name == view_name), timeout=10)


def check_views(desktop, app, main, focus_log):
    app.focus("Cardline")
    for shortcut, _, title, view_name in VIEWS:
        try:
            view = show_view(desktop, main, shortcut, title, view_name)
        except Abort as e:
            fail(f"{title} view: not reachable by keyboard: {e}")
            continue
        ok(f"{title} view: reached with {shortcut}")

        report_names(f"{title} view", main)

        focusable = [o for o, _ in walk(view)
                     if {pyatspi.STATE_FOCUSABLE, pyatspi.STATE_SENSITIVE} <= states(o)]
        if not focusable:
            fail(f"{title} view: no focusable control on screen")
            continue
        seen = tab_through(desktop, main, focus_log, lambda current, seen: is_inside(current, view_name))
        if not seen or not is_inside(seen[-1], view_name):
            fail(f"{title} view: Tab never moved the focus into the view ({len(focusable)} focusable controls); "
                 f"focus went to: " + (", ".join(describe(o) for o in seen[:10]) or "nothing AT-SPI could see"))
            continue
        inside = seen[-1]
        onward = tab_through(desktop, main, focus_log, lambda current, seen: current != inside, limit=3)
        if not onward or onward[-1] == inside:
            fail(f"{title} view: Tab is stuck on {describe(inside)}")
            continue
        ok(f"{title} view: {len(focusable)} focusable controls, Tab reaches {describe(inside)} and goes on to "
           f"{describe(onward[-1])}")
        if title == "Rejects":
            select_reject(desktop, main, focus_log)
        if title == "Dashboard":
            check_stations(view)


STATION_INSTRUCTION = "Reader 2 is gone: plug it back in, then press Resume"


def check_stations(view):
    """The Dashboard's Stations view (issue 18): a screen reader finds the station, its state in words and the
    fault's instruction (a11y-app registers "rack-a11y" held by a fault)."""
    texts = {safe(lambda: o.name, "") or "" for o, _ in walk(view)}
    for want in ("Stations", "rack-a11y", "Fault", STATION_INSTRUCTION):
        if not any(want == t or (t and want in t) for t in texts):
            fail(f"Stations view: {want!r} is not exposed over AT-SPI")
            return
    ok("Stations view: the station, its state and its fault's instruction are exposed over AT-SPI")


def check_view_mnemonics(desktop, main):
    for _, mnemonic, title, view_name in VIEWS:
        try:
            show_view(desktop, main, mnemonic, title, view_name)
        except Abort as e:
            fail(f"{title} view: not reachable by its mnemonic: {e}")
            continue
        ok(f"{title} view: reached with {mnemonic}")


def select_reject(desktop, main, focus_log):
    """Tab to a rejected card in the table, select it with Space: its history and re-test controls show."""
    def is_card_row(current, seen):
        return safe(current.getRole) == pyatspi.ROLE_TABLE_ROW and (safe(lambda: current.name, "") or "").startswith(
            "Card ")

    seen = tab_through(desktop, main, focus_log, is_card_row, limit=30)
    if not seen or not is_card_row(seen[-1], seen):
        fail("Rejects view: Tab never reached a rejected card in the table; focus went to: "
             + ", ".join(describe(o) for o in seen[:30]))
        return
    row = seen[-1]
    key(desktop, "space")
    try:
        wait_for("Space to select the card", lambda: pyatspi.STATE_SELECTED in states(row), timeout=10)
        history = wait_for("the card's history", lambda: find(main, lambda o: o.name == "Card history"), timeout=10)
        wait_for("the card's history to fill", lambda: safe(lambda: history.childCount, 0) > 0, timeout=20)
    except Abort as e:
        fail(f"Rejects view: selecting {describe(row)} with the keyboard: {e}")
        return
    ok(f"Rejects view: {describe(row)} selected with Tab and Space")
    report_names("Rejects view with a card selected", main)


def check_rack(desktop, main, focus_log):
    """A full rack (a11y-app under CARDLINE_A11Y_RACK): Tab reaches a reader's tile, named for its reader and state;
    Return on it opens the reader's details, Escape goes back to the tiles with the focus on that tile."""
    shortcut, _, title, view_name = VIEWS[-1]
    show_view(desktop, main, shortcut, title, view_name)

    def is_tile(current, seen):
        return safe(current.getRole) == pyatspi.ROLE_PUSH_BUTTON and (safe(lambda: current.name, "") or "").startswith(
            "Cardline Rig ")

    seen = tab_through(desktop, main, focus_log, is_tile, limit=40)
    if not seen or not is_tile(seen[-1], seen):
        fail("rack: Tab never reached a reader's tile; focus went to: " + ", ".join(describe(o) for o in seen[:40]))
        return
    tile_name = seen[-1].name
    ok(f"rack: Tab reaches the tile {tile_name!r}")
    key(desktop, "Return")
    try:
        wait_for("Return on the tile to open the reader's details",
                 lambda: find(main, lambda o: safe(o.getRole) == pyatspi.ROLE_PUSH_BUTTON and o.name == "All Readers"),
                 timeout=10)
    except Abort as e:
        fail(f"rack: {e}")
        return
    ok("rack: Return on a tile opens the reader's details")
    report_names("rack: a reader's details", main)
    key(desktop, "Escape")
    try:
        wait_for("Escape to go back to the tiles, the focus on the tile opened",
                 lambda: safe(lambda: focused_in(main).name) == tile_name, timeout=10)
    except Abort as e:
        fail(f"rack: {e}")
        return
    ok("rack: Escape goes back to the tiles, the focus on the tile opened")


def check_menu(desktop, app, main):
    key(desktop, "F10")
    try:
        # GTK 4 puts a popover in the tree of the widget it pops from: here the header bar's menu button.
        menu = wait_for("F10 to open the main menu",
                        lambda: find(main, lambda o: safe(o.getRole) in (pyatspi.ROLE_MENU, pyatspi.ROLE_POPUP_MENU)
                                     and any(safe(c.getRole) == pyatspi.ROLE_MENU_ITEM for c, _ in walk(o))),
                        timeout=10)
    except Abort as e:
        fail(f"main menu: {e}")
        return
    items = [c.name for c, _ in walk(menu) if safe(c.getRole) == pyatspi.ROLE_MENU_ITEM]
    ok(f"main menu: F10 opens it ({', '.join(repr(i) for i in items)})")
    report_names("main menu", menu)
    key(desktop, "Escape")


def on_signal(signum, frame):
    raise Stopped(signum)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    # meson's timeout sends SIGTERM: stop the X server, buses and application before going.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    program = os.path.abspath(sys.argv[1])
    desktop = None
    app = None
    try:
        check_prerequisites()
        desktop = Desktop()
        desktop.start_x()
        desktop.start_session_bus()
        desktop.start_accessibility_bus()
        # libatspi (in this process) finds the buses from the environment when first used.
        os.environ.update({k: desktop.env[k] for k in ("DISPLAY", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS",
                                                        "AT_SPI_BUS_ADDRESS", "XDG_RUNTIME_DIR")})
        # Started before libatspi brings its threads in: no fork from a threaded process.
        app = App(desktop, program)
        init_atspi()
        print(f"# display {desktop.env['DISPLAY']}, accessibility bus {desktop.env['AT_SPI_BUS_ADDRESS']}")
        focus_log = FocusLog()
        wait_for("the application on the accessibility bus", app.find_node, timeout=60)
        main_window = check_sign_in(desktop, app, focus_log)
        check_views(desktop, app, main_window, focus_log)
        check_view_mnemonics(desktop, main_window)
        if os.environ.get("CARDLINE_A11Y_RACK"):
            check_rack(desktop, main_window, focus_log)
        check_menu(desktop, app, main_window)

        app.focus("Cardline")
        key(desktop, "ctrl+q")
        try:
            status = app.proc.wait(timeout=15 * SCALE)
            if status != 0:
                fail(f"the application quit with status {status}:\n{desktop.log_tail('app')}")
            else:
                ok("Ctrl+Q quits")
        except subprocess.TimeoutExpired:
            fail(f"Ctrl+Q did not quit the application within {15 * SCALE:.0f} s")
    except Abort as e:
        fail(str(e))
        if desktop is not None and app is not None:
            print(f"# application log:\n{desktop.log_tail('app')}")
    except Stopped as e:
        fail(f"stopped by signal {e.args[0]}")
    finally:
        if desktop is not None:
            desktop.stop()
    for where, keys in sorted(named_by_content.items()):
        print(f"# {len(keys)} list item(s) named by their text only (GTK 4.8 cannot name list rows) in {where}")
    if failures:
        print(f"FAIL: {len(failures)} check(s) failed")
        return 1
    print("PASS: accessible names and keyboard access")
    return 0


if __name__ == "__main__":
    sys.exit(main())
