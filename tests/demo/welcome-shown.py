# SPDX-License-Identifier: GPL-3.0-or-later
"""Run by `./setup.sh demo` beside the kiosk it started (HAVEN_DEMO_CHECK),
on the kiosk's display and D-Bus session: reads the page on screen through
AT-SPI and fails unless it is the welcome page, with its title, a button
for each of the demo's languages and Leave now."""

import sys

import pyatspi

from haven_atspi import fail, find_app, first, heading, wait_for


def button_named(app, name):
    return first(app, lambda node: node.getRole() == pyatspi.ROLE_PUSH_BUTTON and node.name == name)


def main():
    title = sys.argv[1]
    languages = sys.argv[2:]

    app = wait_for("haven on the accessibility bus", find_app)
    wait_for(f"the page titled “{title}”", lambda: heading(app) == title)
    for name in languages + ["Leave now"]:
        wait_for(f"the button “{name}”", lambda: button_named(app, name))
    print(f"The kiosk shows the welcome page: “{heading(app)}”", flush=True)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as error:  # pyatspi raises its own kinds on a dead bus
        fail(f"AT-SPI: {error}")
