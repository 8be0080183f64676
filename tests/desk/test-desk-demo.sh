#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The README's command for Haven Desk, `./setup.sh desk-demo`, run as a
# newcomer would (a fresh home folder, none of the test suite's settings)
# from the build under test, headless, on a free port. It must print the
# demo's passphrase and key, bring the desk up unlocked on its inbox and
# photograph it; its check (desk-demo-check.py, through AT-SPI and xdotool)
# must go through a whole case with the keyboard alone and find every
# control named; and when the demo ends, its receiver must have stopped.
#
#   test-desk-demo.sh SOURCE_ROOT BUILD_ROOT
#
# HAVEN_DESK_DEMO_SIZE and HAVEN_DESK_SCREENSHOT_DIR, when set, pass on:
# the screen's size, and where the check saves its pictures of the pages.
set -euo pipefail

source_root=$1
build_root=$2
size=${HAVEN_DESK_DEMO_SIZE:-1366x768}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

port=$(/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
check="PYTHONPATH=$source_root/tests/a11y /usr/bin/python3 $source_root/tests/desk/desk-demo-check.py"

mkdir -p "$work/home"
status=0
env -i PATH="$PATH" HOME="$work/home" LANG=C.UTF-8 \
  ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
  ${HAVEN_DESK_SCREENSHOT_DIR:+HAVEN_DESK_SCREENSHOT_DIR="$HAVEN_DESK_SCREENSHOT_DIR"} \
  HAVEN_DESK_DEMO_PORT="$port" HAVEN_DESK_DEMO_BUILD_DIR="$build_root" \
  HAVEN_DESK_DEMO_SIZE="$size" HAVEN_DESK_DEMO_SCREENSHOT="$work/desk.png" \
  HAVEN_DESK_DEMO_CHECK="$check" \
  "$source_root/setup.sh" desk-demo >"$work/printed" 2>&1 || status=$?
# What the demo printed, less D-Bus's chatter.
grep -v '^dbus-daemon' "$work/printed" || true
if [ "$status" -ne 0 ]; then
  echo "FAIL: setup.sh desk-demo ended with status $status"
  exit 1
fi

fail () {
  echo "FAIL: $*"
  exit 1
}

grep -q '^Demo only — passphrase: demo passphrase, not for real cases ; organisation public key: [A-Za-z0-9+/]\{43\}=' \
  <(sed 's/\x1b\[[0-9;]*m//g' "$work/printed") || fail "the demo did not print its passphrase and key"
grep -q '^The desk went through a whole case with [0-9]* key presses and no pointer' "$work/printed" ||
  fail "the check did not go through a whole case"
[ "$(identify -format %wx%h "$work/desk.png")" = "$size" ] || fail "no ${size} picture of the inbox"
colours=$(convert "$work/desk.png" -format %k info:)
[ "$colours" -gt 64 ] || fail "the picture of the inbox has $colours colours: nothing drawn"
echo "The inbox photographed at $size, $colours colours"

# The receiver went with the demo.
if /usr/bin/python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)' "$port" 2>/dev/null; then
  fail "the demo's receiver still answers on port $port"
fi
echo "The receiver stopped with the demo"
