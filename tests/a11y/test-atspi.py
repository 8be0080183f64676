#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Haven as a screen reader meets it, through AT-SPI.

Starts haven with the AT-SPI bridge, walks the accessible tree of every
page of a whole visit, fails on any focusable control without a name, and
does the whole visit with AT-SPI actions only: the buttons a screen reader
user would press, found by their accessible names.

Run by meson (tests/a11y/meson.build) under a D-Bus session and Xvfb; the
accessibility bus is started on demand by the session bus.
"""

import re
import sys
import time

import pyatspi

from haven_atspi import fail, heading, running_haven, wait_for, walk

HAVEN = sys.argv[1]

# Roles a visitor acts on: each must have a name a screen reader can say.
CONTROL_ROLES = {
    pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX,
    pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_ENTRY, pyatspi.ROLE_TEXT,
    pyatspi.ROLE_PASSWORD_TEXT, pyatspi.ROLE_COMBO_BOX, pyatspi.ROLE_SPIN_BUTTON,
    pyatspi.ROLE_LINK, pyatspi.ROLE_MENU_ITEM,
}

checked = 0


def check_names(app, page):
    """Every focusable control showing on the page has a name."""
    global checked

    def visit(node):
        global checked
        state = node.getState()
        if node.getRole() in CONTROL_ROLES and state.contains(pyatspi.STATE_FOCUSABLE):
            checked += 1
            name = (node.name or "").strip()
            # GTK falls back to the widget's type for a control it cannot
            # name: "GtkButton" is no name to a visitor.
            if not name or re.fullmatch(r"(Gtk|Adw|Haven)[A-Z]\w+", name):
                fail(f"on {page}, a focusable {node.getRoleName()} has no name ({name!r})")

    walk(app, visit)


def find_button(app, name):
    """A showing, enabled button (or check box) whose name is @name."""
    result = []

    def visit(node):
        if result:
            return
        if node.getRole() in (pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON,
                              pyatspi.ROLE_CHECK_BOX, pyatspi.ROLE_RADIO_BUTTON) \
                and (node.name or "").startswith(name) \
                and node.getState().contains(pyatspi.STATE_SENSITIVE):
            result.append(node)

    walk(app, visit)
    return result[0] if result else None


def press(app, name):
    button = wait_for(f"a button “{name}”", lambda: find_button(app, name))
    action = button.queryAction()
    for index in range(action.nActions):
        if action.getName(index) in ("click", "activate", "press"):
            action.doAction(index)
            time.sleep(0.3)
            return
    fail(f"“{name}” cannot be pressed through AT-SPI")


def main():
    with running_haven(HAVEN) as app:

        pages = []

        def on_page(expected):
            title = wait_for(f"a page titled “{expected}”",
                             lambda: expected in heading(app) and heading(app))
            pages.append(title)
            check_names(app, title)

        on_page("Help after something happened online")
        press(app, "English")
        on_page("Are you in danger right now?")
        press(app, "No, I am safe right now")
        on_page("Before you start")
        press(app, "Continue")
        on_page("Which of these is closest to what happened?")
        press(app, "Something else happened")

        # Each question, skipped, then the rest of the visit to its end.
        for _ in range(30):
            title = wait_for("a page", lambda: heading(app))
            if "Your summary" in title:
                break
            pages.append(title)
            check_names(app, title)
            if find_button(app, "Skip this question"):
                press(app, "Skip this question")
            else:
                press(app, "Continue")
            time.sleep(0.2)
        else:
            fail("the visit never reached its summary")

        on_page("Your summary")
        press(app, "Finish and clear")
        on_page("Help after something happened online")

        print(f"{len(pages)} pages walked through AT-SPI actions only; "
              f"{checked} focusable controls, each with a name:")
        for title in pages:
            print(f"  {title}")


if __name__ == "__main__":
    main()
