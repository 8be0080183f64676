#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A whole visit with the keyboard alone.

Starts haven on the test's X server and does a visit with synthesized key
presses only (xdotool: Tab, Return, space), as a visitor without a mouse or
touch screen would. AT-SPI is used to read, never to act: which control has
the focus, and which page is on screen.
"""

import subprocess
import sys
import time

import pyatspi

from haven_atspi import fail, focused, heading, running_haven, wait_for, walk

HAVEN = sys.argv[1]
MAX_TABS = 40
keys_pressed = 0


def key(name):
    global keys_pressed
    subprocess.run(["xdotool", "key", "--clearmodifiers", name], check=True)
    keys_pressed += 1
    time.sleep(0.15)


def tab_to(app, name):
    """Tab until the control named @name has the focus."""
    for _ in range(MAX_TABS):
        node = focused(app)
        if node is not None and (node.name or "").startswith(name):
            return
        key("Tab")
    fail(f"Tab never reached “{name}” (on “{heading(app)}”)")


def choose(app, name, key_name="Return"):
    tab_to(app, name)
    key(key_name)
    time.sleep(0.3)


def main():
    with running_haven(HAVEN) as app:
        # The X input focus on Haven's window, as a kiosk session gives it.
        window = wait_for("Haven's window", lambda: subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", "^Haven$"], capture_output=True, text=True).stdout.split())
        subprocess.run(["xdotool", "windowfocus", "--sync", window[0]], check=True)

        pages = [heading(app)]
        choose(app, "English")
        wait_for("the safety page", lambda: "danger" in heading(app))
        pages.append(heading(app))
        choose(app, "No, I am safe right now", "space")
        wait_for("the intro", lambda: "Before you start" in heading(app))
        pages.append(heading(app))
        choose(app, "Continue")
        wait_for("the categories", lambda: "closest to what happened" in heading(app))
        pages.append(heading(app))
        choose(app, "Something else happened")

        for _ in range(30):
            title = wait_for("a page", lambda: heading(app))
            if "Your summary" in title:
                break
            pages.append(title)
            node = focused(app)
            before = title
            # A question: answer the first choice if there is one, else skip.
            if "Still happening" in title or "still happening" in title:
                choose(app, "Yes", "space")
                choose(app, "Continue")
            elif any(n == "Skip this question" for n in names(app)):
                choose(app, "Skip this question")
            else:
                choose(app, "Continue")
            wait_for("the next page", lambda: heading(app) != before)
        else:
            fail("the visit never reached its summary")

        pages.append(heading(app))
        choose(app, "Finish and clear")
        wait_for("the welcome page again", lambda: "Help after" in heading(app))

        # Leave now is one keystroke away from anywhere: Escape three times.
        choose(app, "English")
        wait_for("the safety page", lambda: "danger" in heading(app))
        for _ in range(3):
            key("Escape")
        wait_for("the welcome page after Escape ×3", lambda: "Help after" in heading(app))

        # And in one keystroke: Alt+L.
        choose(app, "English")
        wait_for("the safety page", lambda: "danger" in heading(app))
        key("alt+l")
        wait_for("the welcome page after Alt+L", lambda: "Help after" in heading(app))

        print(f"a whole visit with {keys_pressed} key presses, no pointer, through {len(pages)} pages:")
        for title in pages:
            print(f"  {title}")


def names(app):
    result = []

    def visit(node):
        if node.getRole() == pyatspi.ROLE_PUSH_BUTTON:
            result.append(node.name or "")

    walk(app, visit)
    return result


if __name__ == "__main__":
    main()
