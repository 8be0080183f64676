#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Haven as a screen reader meets it, through AT-SPI.

Starts haven with the AT-SPI bridge, walks the accessible tree of every
page of a whole visit, fails on any focusable control without a name, and
does the whole visit with AT-SPI actions only: the buttons a screen reader
user would press, found by their accessible names. A second visit, about
intimate images, sends a removal request the same way: the address and the
email typed through the EditableText interface, and every choice made by
its AT-SPI action, with the roles a screen reader announces checked, one
question a page, and the error summary an alert that takes the focus to
the first answer missing.

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


def focused_node(app):
    return first(app, lambda node: node.getState().contains(pyatspi.STATE_FOCUSED))


def is_alert(node):
    return node.getRole() in (pyatspi.ROLE_ALERT, pyatspi.ROLE_NOTIFICATION)


def answer_who_for(app):
    """The page “Who is this request for?”: one radio group, marked
    required. Continue with no answer first: the error summary appears as
    an alert that names the problem, and the focus goes to the first
    choice; then “Me”, by its AT-SPI action."""
    group = wait_for("the group “Who is this request for?”", lambda: first(
        app, lambda node: node.name == "Who is this request for?" and node.getRole() != pyatspi.ROLE_LABEL
        and node.getRole() != pyatspi.ROLE_HEADING))
    if group.getRole() != pyatspi.ROLE_GROUPING:
        fail(f"“Who is this request for?” is announced as {group.getRoleName()}, not a group")
    # GTK 4.8 gives AT-SPI no "required" state: the words say it, in the
    # group's description.
    if "(required)" not in (group.description or ""):
        fail(f"“Who is this request for?” is described as {group.description!r}, not as required")
    radios = [group.getChildAtIndex(i) for i in range(group.childCount)]
    if len(radios) != 3 or any(r.getRole() != pyatspi.ROLE_RADIO_BUTTON for r in radios):
        fail(f"“Who is this request for?” holds {[r.getRoleName() for r in radios]}, not three radio buttons")

    press(app, "Continue")
    summary = wait_for("the error summary", lambda: first(
        app, lambda node: is_alert(node) and "Choose who this request is for" in (node.name or "")))
    if "There is 1 thing to correct" not in summary.name:
        fail(f"the error summary says {summary.name!r}, not how many things to correct")
    wait_for("the focus on the first choice", lambda: (focused_node(app) is not None
                                                      and focused_node(app).name == "Me"))

    choose(app, "Someone else, who asked me", pyatspi.ROLE_RADIO_BUTTON)
    choose(app, "Me", pyatspi.ROLE_RADIO_BUTTON)
    # One of many: choosing "Me" unchose the other.
    if is_checked(find_button(app, "Someone else, who asked me")):
        fail("two answers to “Who is this request for?” are checked at once")
    press(app, "Continue")


def give_email(app):
    """The page “Do you want news about your request?”: an email entry
    whose name says it is an email address and that it is optional, and no
    box to tick besides."""
    email = type_into(app, "the email entry", lambda node: "email" in (node.name or "").lower(),
                      "visitor@example.org")
    name = (email.name or "").lower()
    if "email address" not in name or "optional" not in name:
        fail(f"the email entry is named {email.name!r}, not as an optional email address")
    if "name@example.org" not in (email.description or ""):
        fail(f"the email entry is described as {email.description!r}, without its example")
    if first(app, lambda node: node.getRole() == pyatspi.ROLE_CHECK_BOX):
        fail("the email page has a box to tick as well as the address")
    press(app, "Continue")


def send_removal_request(app):
    """The send page: what is sent, one box to tick and Send, by AT-SPI
    alone."""
    on_send_page = wait_for("the removal send page", lambda: "send your request now" in heading(app)
                            and heading(app))
    check_names(app, on_send_page)
    boxes = []
    walk(app, lambda node: boxes.append(node) if node.getRole() == pyatspi.ROLE_CHECK_BOX else None)
    if len(boxes) != 1:
        fail(f"the send page has {len(boxes)} boxes to tick, not one")
    choose(app, "What I have told you is true", pyatspi.ROLE_CHECK_BOX)
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
        elif "Who is this request for" in title:
            answer_who_for(app)
        elif "news about your request" in title:
            give_email(app)
        elif "send your request now" in title:
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
