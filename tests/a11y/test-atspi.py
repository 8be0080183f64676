#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Haven as a screen reader meets it, through AT-SPI.

Starts haven with the AT-SPI bridge, walks the accessible tree of every
page of a whole visit, fails on any focusable control without a name, and
does the whole visit with AT-SPI actions only: the buttons a screen reader
user would press, found by their accessible names. A second visit, about
intimate images, sends a removal request the same way: the address and the
email typed through the EditableText interface, and every choice made by
its AT-SPI action, with the roles a screen reader announces checked.

Run by meson (tests/a11y/meson.build) under a D-Bus session and Xvfb; the
accessibility bus is started on demand by the session bus.
"""

import re
import sys
import time

import pyatspi

from haven_atspi import fail, first, heading, running_haven, wait_for, walk

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


def type_into(app, what, matches, text):
    """Types @text into the showing entry @matches finds, through the
    EditableText interface, as a switch or voice control user's tools do."""
    entry = wait_for(what, lambda: first(app, lambda node: node.getRole() in (
        pyatspi.ROLE_ENTRY, pyatspi.ROLE_TEXT) and matches(node)))
    try:
        editable = entry.queryEditableText()
    except NotImplementedError:
        fail(f"{what} cannot be typed into through AT-SPI")
    editable.setTextContents(text)
    time.sleep(0.3)
    return entry


def is_checked(node):
    return node.getState().contains(pyatspi.STATE_CHECKED)


def choose(app, name, role):
    """Makes the choice @name by its AT-SPI action; it must announce @role
    and be checked afterwards."""
    press(app, name)
    choice = wait_for(f"the choice “{name}”", lambda: find_button(app, name))
    if choice.getRole() != role:
        fail(f"“{name}” is announced as {choice.getRoleName()}, not {pyatspi.Role(role)}")
    wait_for(f"“{name}” checked", lambda: is_checked(find_button(app, name)))
    return choice


def send_removal_request(app):
    """The removal send page: one of a radio group, an email, three check
    boxes and Send, by AT-SPI alone."""
    on_send_page = wait_for("the removal send page", lambda: "Before we send" in heading(app))
    check_names(app, on_send_page)

    group = wait_for("the group “Who is it about?”", lambda: first(
        app, lambda node: node.name == "Who is it about?" and node.getRole() != pyatspi.ROLE_LABEL))
    if group.getRole() != pyatspi.ROLE_GROUPING:
        fail(f"“Who is it about?” is announced as {group.getRoleName()}, not a group")
    radios = [group.getChildAtIndex(i) for i in range(group.childCount)]
    if len(radios) != 3 or any(r.getRole() != pyatspi.ROLE_RADIO_BUTTON for r in radios):
        fail(f"“Who is it about?” holds {[r.getRoleName() for r in radios]}, not three radio buttons")

    choose(app, "Someone who asked me", pyatspi.ROLE_RADIO_BUTTON)
    choose(app, "Me", pyatspi.ROLE_RADIO_BUTTON)
    # One of many: choosing "Me" unchose the other.
    if is_checked(find_button(app, "Someone who asked me")):
        fail("two answers to “Who is it about?” are checked at once")

    email = type_into(app, "the email entry", lambda node: "email" in (node.name or "").lower(),
                      "visitor@example.org")
    if "email address" not in (email.name or "").lower():
        fail(f"the email entry is named {email.name!r}, which does not say it is for an email address")
    choose(app, "They may contact me", pyatspi.ROLE_CHECK_BOX)
    choose(app, "What I have told you is true", pyatspi.ROLE_CHECK_BOX)
    choose(app, "It is about me, or I am allowed", pyatspi.ROLE_CHECK_BOX)
    press(app, "Send the request")
    return on_send_page


def whole_visit(app, category, pages):
    """A visit from the welcome page to its end by AT-SPI actions only,
    each question skipped; a removal request, when the category offers
    one, is filled in and sent. Returns whether one was sent."""
    sent = False

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
    press(app, category)

    for _ in range(40):
        title = wait_for("a page", lambda: heading(app))
        if "Your summary" in title:
            break
        pages.append(title)
        check_names(app, title)
        if "Where is it online" in title:
            type_into(app, "the web address entry", lambda node: node.name == "Web address",
                      "https://example.social/post/123")
            press(app, "Continue")
        elif "Before we send" in title:
            send_removal_request(app)
            sent = True
            # Sent, or saved to send later: this kiosk has no backend.
            wait_for("the request's outcome", lambda: first(
                app, lambda node: node.getRole() == pyatspi.ROLE_HEADING
                and (node.name or "").startswith("Your request")))
            press(app, "Continue")
        elif find_button(app, "Skip this question"):
            press(app, "Skip this question")
        else:
            press(app, "Continue")
        time.sleep(0.2)
    else:
        fail(f"the visit about “{category}” never reached its summary")

    on_page("Your summary")
    press(app, "Finish and clear")
    wait_for("the welcome page", lambda: "Help after" in heading(app))
    return sent


def main():
    with running_haven(HAVEN) as app:
        pages = []
        whole_visit(app, "Something else happened", pages)
        removal_pages = []
        if not whole_visit(app, "Intimate images of me were shared", removal_pages):
            fail("the visit about intimate images never reached the removal send page")

        print(f"{len(pages)} pages walked through AT-SPI actions only; "
              f"{checked} focusable controls, each with a name:")
        for title in pages:
            print(f"  {title}")
        print(f"A removal request sent through AT-SPI alone, over {len(removal_pages)} pages:")
        for title in removal_pages:
            print(f"  {title}")


if __name__ == "__main__":
    main()
