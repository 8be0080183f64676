# SPDX-License-Identifier: GPL-3.0-or-later
"""What the accessibility tests share: starting haven with the AT-SPI
bridge, and reading its accessible tree (pages' titles, the focus,
controls by name)."""

import contextlib
import faulthandler
import os
import subprocess
import sys
import time

import pyatspi

TIMEOUT = 20

# A call into AT-SPI that never returns would hold the test until meson's
# own timeout, saying nothing: after this long, print where every thread
# is and fail.
WATCHDOG_SECONDS = 100
faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def wait_for(what, find, timeout=TIMEOUT):
    """Polls @find until it returns something true; the tree changes under
    our feet, so an exception counts as not yet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = find()
        except Exception:
            found = None
        if found:
            return found
        time.sleep(0.1)
    fail(f"timed out waiting for {what}")
    return None


def find_app():
    for app in pyatspi.Registry.getDesktop(0):
        if app is not None and app.name == "haven":
            return app
    return None


def visible(node):
    """GTK 4.8 sets VISIBLE, not SHOWING, on what is on screen."""
    try:
        return node.getState().contains(pyatspi.STATE_VISIBLE)
    except Exception:
        return False


def walk(node, visit):
    if node is None:
        return
    visit(node)
    for index in range(node.childCount):
        try:
            child = node.getChildAtIndex(index)
        except Exception:
            continue
        if child is not None and visible(child):
            walk(child, visit)


def first(app, matches):
    result = []

    def visit(node):
        if not result and matches(node):
            result.append(node)

    walk(app, visit)
    return result[0] if result else None


def heading(app):
    """The title of the page on screen: its first heading."""
    node = first(app, lambda node: node.getRole() == pyatspi.ROLE_HEADING)
    return (node.name or "") if node is not None else ""


def focused(app):
    return first(app, lambda node: node.getState().contains(pyatspi.STATE_FOCUSED))


@contextlib.contextmanager
def running_haven(haven):
    """haven, with the AT-SPI bridge on, once it is on the bus."""
    env = dict(os.environ)
    env["GTK_A11Y"] = "atspi"
    env.pop("NO_AT_BRIDGE", None)
    if "HAVEN_G_DEBUG" in env:
        env["G_DEBUG"] = env.pop("HAVEN_G_DEBUG")
    # The registry first, so that haven's bridge finds it ready: the
    # desktop answers once it is.
    wait_for("the accessibility registry", lambda: pyatspi.Registry.getDesktop(0) is not None)
    process = subprocess.Popen([haven], env=env)
    try:
        app = wait_for("haven on the accessibility bus", find_app)
        wait_for("the welcome page", lambda: "Help after" in heading(app))
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
