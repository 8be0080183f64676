# SPDX-License-Identifier: GPL-3.0-or-later
"""Run by `./setup.sh desk-demo` beside the desk it started
(HAVEN_DESK_DEMO_CHECK), on its display and D-Bus session, once the demo
has unlocked it and its inbox shows.

Goes through the desk with the keyboard alone, key presses synthesized
with xdotool (Tab, Shift+Tab, Return, space, arrows, Escape, Ctrl+L), as a
caseworker without a mouse would: locks it, unlocks it by typing the
passphrase, opens the first case in the inbox, takes it, records an
outcome for its first address, prepares its notices to the platforms,
closes it, goes back, opens the Kiosks page and the Report page, makes the
report, and locks again. AT-SPI only reads: which page is on screen, which control
has the focus, and each control's name. On every page (unlock, inbox, a
case, its notices, the kiosks, the report) every control one can focus or act on must have an
accessible name; the check fails naming each that has none.

With HAVEN_DESK_SCREENSHOT_DIR set, it photographs the inbox, the case and
the Kiosks page there (desk-inbox.png, desk-case.png, desk-notices.png,
desk-fleet.png, desk-report.png)."""

import os
import re
import subprocess
import sys
import time
import traceback

import pyatspi

from haven_atspi import fail, focused, wait_for, walk

PASSPHRASE = os.environ["HAVEN_DESK_DEMO_PASSPHRASE"]
SCREENSHOT_DIR = os.environ.get("HAVEN_DESK_SCREENSHOT_DIR")
MAX_TABS = 60

# What one can focus or act on, and so must be named for a screen reader.
CONTROL_ROLES = {
    pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX,
    pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_COMBO_BOX, pyatspi.ROLE_ENTRY,
    pyatspi.ROLE_PASSWORD_TEXT, pyatspi.ROLE_TEXT, pyatspi.ROLE_SPIN_BUTTON,
    pyatspi.ROLE_LIST_ITEM, pyatspi.ROLE_MENU_ITEM,
}

keys_pressed = 0
known_unnamed = set()


def find_desk():
    for app in pyatspi.Registry.getDesktop(0):
        if app is not None and app.name == "haven-desk":
            return app
    return None


def key(name):
    global keys_pressed
    subprocess.run(["xdotool", "key", "--clearmodifiers", name], check=True)
    keys_pressed += 1
    time.sleep(0.15)


def nodes(app, matches):
    """What is on the screen (the desk marks the pages it hides) and
    @matches."""
    result = []

    def visit(node):
        try:
            if matches(node):
                result.append(node)
        except Exception:
            pass

    walk(app, visit)
    return result


def role_named(role, name):
    return lambda node: node.getRole() == role and (node.name or "") == name


def shows(app, role, name):
    return bool(nodes(app, role_named(role, name)))


def list_with_rows(app, name):
    found = nodes(app, lambda node: node.getRole() == pyatspi.ROLE_LIST and node.name == name
                  and node.childCount > 0)
    return found[0] if found else None


def describe(node):
    try:
        return f"{node.getRoleName()} “{node.name or ''}”"
    except Exception:
        return "a control that went away"


def inside_combo_box(node):
    parent = node.parent
    while parent is not None:
        if parent.getRole() == pyatspi.ROLE_COMBO_BOX:
            return True
        parent = parent.parent
    return False


def actionable(node):
    # The row a combo box (AdwComboRow) draws its choice with is a list
    # item GTK calls focusable, in a list that takes no focus: the combo
    # box, named, is the control.
    if inside_combo_box(node):
        return False
    if node.getState().contains(pyatspi.STATE_FOCUSABLE):
        return True
    try:
        return node.queryAction().nActions > 0
    except NotImplementedError:
        return False


def in_toast(node):
    parent = node.parent
    while parent is not None:
        if parent.name == "AdwToastWidget":
            return True
        parent = parent.parent
    return False


def unnamed_controls(app):
    """The controls on screen that one can focus or act on, and those of
    them without a name, described."""
    unnamed = []
    count = 0
    for node in nodes(app, lambda node: node.getRole() in CONTROL_ROLES and actionable(node)):
        count += 1
        # Known, and out of the desk's reach: libadwaita 1.2 makes each
        # toast's close button anew, named after its icon.
        if in_toast(node) and node.name == "GtkImage":
            known_unnamed.add("a toast's close button (libadwaita 1.2)")
            continue
        # GTK 4.8 names a control that has no name of its own after its
        # content's type ("GtkImage"): to a screen reader, no name either.
        if not (node.name or "").strip() or re.fullmatch(r"(Gtk|Adw)[A-Z]\w+", node.name):
            path = []
            parent = node.parent
            while parent is not None and len(path) < 4:
                if parent.name:
                    path.append(describe(parent))
                parent = parent.parent
            unnamed.append(f"{describe(node)} in {' < '.join(path) or 'the window'}")
    return count, unnamed


def check_names(app, page, checked):
    """Every control on screen that one can focus or act on has a name.
    A page whose list is filled again while it is read (the Kiosks page,
    as the receiver's answer comes in) leaves AT-SPI holding rows that are
    gone, of which it says "the application no longer exists": the page
    is read again."""
    for attempt in range(10):
        try:
            count, unnamed = unnamed_controls(app)
            break
        except Exception as error:
            if attempt == 9:
                raise
            print(f"  reading the {page} again: {error}", flush=True)
            time.sleep(0.3)
    if unnamed:
        fail(f"on the {page}, {len(unnamed)} of {count} controls have no accessible name: "
             + "; ".join(unnamed))
    checked.append(f"{page}: {count} controls, each named")


def tab_to(app, matches, what, backwards=False):
    """Tab (or Shift+Tab) until a control that @matches has the focus."""
    for _ in range(MAX_TABS):
        node = focused(app)
        if node is not None and matches(node):
            return node
        key("shift+Tab" if backwards else "Tab")
    node = focused(app)
    fail(f"Tab never reached {what}; the focus is on "
         f"{describe(node) if node is not None else 'nothing'}")
    return None


def named(name, role=None):
    return lambda node: (node.name or "") == name and (role is None or node.getRole() == role)


def toast_shown(app):
    """The toast each event shows ("The case is now: In progress")."""
    return nodes(app, lambda node: node.getRole() == pyatspi.ROLE_LABEL
                 and re.match(r"The case is |Address \d+: ", node.name or ""))


def screenshot(app, name):
    if SCREENSHOT_DIR:
        # The page itself, without the last event's toast over it.
        wait_for("the toast to go", lambda: not toast_shown(app), timeout=15)
        # The last key press's change drawn before it is photographed.
        time.sleep(0.5)
        subprocess.run(["import", "-window", "root", os.path.join(SCREENSHOT_DIR, name)],
                       check=True)


def main():
    checked = []
    app = wait_for("haven-desk on the accessibility bus", find_desk)
    window = wait_for("the desk's window", lambda: subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", "^Haven Desk$"],
        capture_output=True, text=True).stdout.split())
    subprocess.run(["xdotool", "windowfocus", "--sync", window[0]], check=True)
    wait_for("the inbox the demo unlocked", lambda: list_with_rows(app, "Cases"))

    # Locked with Ctrl+L: the unlock page, its field ready for the passphrase.
    key("ctrl+l")
    wait_for("the unlock page after Ctrl+L", lambda: shows(app, pyatspi.ROLE_PUSH_BUTTON, "Unlock"))
    check_names(app, "unlock page", checked)
    # No Tab first: the field has the keyboard as the page shows. (GTK 4.8
    # tells AT-SPI of the focus only once a key moved it, so that the
    # inbox coming up is what shows the passphrase went in.)
    subprocess.run(["xdotool", "type", "--delay", "20", PASSPHRASE], check=True)
    key("Return")

    # The inbox, after signing in with the demo's token file.
    cases = wait_for("the inbox after typing the passphrase on the unlock page, with no Tab"
                     " (has its field the keyboard?)", lambda: list_with_rows(app, "Cases"))
    wait_for("the inbox's rows drawn", lambda: cases.getChildAtIndex(0).name)
    check_names(app, "inbox", checked)
    screenshot(app, "desk-inbox.png")
    first = cases.getChildAtIndex(0)
    reference = (first.name or "").split(" ")[0]
    tab_to(app, lambda node: node.getRole() == pyatspi.ROLE_LIST_ITEM
           and (node.name or "") == first.name, f"the first case ({first.name})")
    key("Return")

    # The case: taken, an outcome for its first address, closed.
    wait_for(f"case {reference} opened", lambda: shows(app, pyatspi.ROLE_PUSH_BUTTON, "Take this case"))
    check_names(app, "case page", checked)
    tab_to(app, named("Take this case", pyatspi.ROLE_PUSH_BUTTON), "Take this case")
    key("space")
    wait_for("the case taken", lambda: shows(app, pyatspi.ROLE_PUSH_BUTTON, "Waiting for an answer"))
    check_names(app, "case page, taken", checked)
    screenshot(app, "desk-case.png")

    # Its notices to the platforms, and back with Escape.
    tab_to(app, named("Notices to platforms…", pyatspi.ROLE_PUSH_BUTTON), "Notices to platforms…")
    key("space")
    wait_for("the notices page", lambda: shows(app, pyatspi.ROLE_PUSH_BUTTON, "Back to the case"))
    check_names(app, "notices page", checked)
    screenshot(app, "desk-notices.png")
    tab_to(app, named("Record as sent", pyatspi.ROLE_PUSH_BUTTON), "Record as sent")
    key("Escape")
    wait_for("the case after Escape on the notices page",
             lambda: shows(app, pyatspi.ROLE_PUSH_BUTTON, "Waiting for an answer"))

    outcome = tab_to(app, lambda node: (node.name or "").startswith("Outcome for address 1"),
                     "the first address's outcome")
    before = outcome.name
    key("Return")
    time.sleep(0.3)
    key("Down")
    key("Return")
    wait_for("an outcome chosen", lambda: (focused(app) is not None and
                                           focused(app).name != before) or True)
    tab_to(app, named("Record the outcome for address 1", pyatspi.ROLE_PUSH_BUTTON),
           "Record the outcome for address 1")
    key("space")
    wait_for("the outcome recorded", lambda: nodes(
        app, lambda node: (node.name or "").startswith("Address 1: ")
        and node.getRole() == pyatspi.ROLE_LABEL))

    tab_to(app, named("Close the case", pyatspi.ROLE_PUSH_BUTTON), "Close the case")
    key("space")
    wait_for("the case closed", lambda: shows(app, pyatspi.ROLE_PUSH_BUTTON, "Reopen"))
    check_names(app, "case page, closed", checked)

    # Back to the inbox, then the Kiosks page.
    key("Escape")
    wait_for("the inbox after Escape", lambda: list_with_rows(app, "Cases"))
    tab_to(app, named("Kiosks"), "the Kiosks page's switch")
    key("space")
    wait_for("the Kiosks page", lambda: list_with_rows(app, "Kiosks"))
    check_names(app, "Kiosks page", checked)
    screenshot(app, "desk-fleet.png")

    # The report of notices for the year so far.
    tab_to(app, named("Report"), "the Report page's switch")
    key("space")
    tab_to(app, named("Make the report", pyatspi.ROLE_PUSH_BUTTON), "Make the report")
    key("space")
    wait_for("the report", lambda: nodes(
        app, lambda node: node.getRole() == pyatspi.ROLE_LABEL
        and re.match(r"\d+ notices? sent", node.name or "")))
    check_names(app, "Report page", checked)
    screenshot(app, "desk-report.png")

    key("ctrl+l")
    wait_for("the unlock page after Ctrl+L", lambda: shows(app, pyatspi.ROLE_PUSH_BUTTON, "Unlock"))

    print(f"The desk went through a whole case with {keys_pressed} key presses and no pointer:"
          f" {reference} taken, its notices prepared, an outcome recorded, closed; the Kiosks"
          " page; the report made; locked", flush=True)
    for line in checked:
        print(f"  {line}", flush=True)
    for what in sorted(known_unnamed):
        print(f"  known, not the desk's: {what} has no name of its own", flush=True)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as error:  # pyatspi raises its own kinds on a dead bus
        traceback.print_exc()
        fail(f"AT-SPI: {error} (after {keys_pressed} key presses)")
