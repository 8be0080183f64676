#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sets up everything Haven needs on Debian 12 and then starts the kiosk or
# Haven Desk in demo mode, or runs the whole test suite:
#
#   ./setup.sh demo       the kiosk against a local haven-receiver over HTTPS
#   ./setup.sh desk-demo  Haven Desk, the caseworkers' application, against a
#                         local haven-receiver that holds no key, with made-up
#                         cases from three demo kiosks
#   ./setup.sh test       every test, the UI tests under Xvfb, then again under
#                         AddressSanitizer and UndefinedBehaviorSanitizer, then
#                         a short run of each fuzz target (tests/fuzz)
#
# Run as root (or with sudo) the first time, so missing packages can be
# installed with apt-get.
#
# The demo takes these from the environment:
#   HAVEN_DEMO_PORT        the receiver's port on 127.0.0.1 (8443)
#   HAVEN_DEMO_STATE       where its certificates, settings and stores go
#                          (~/.local/state/haven-demo)
#   HAVEN_DEMO_SIZE        the virtual screen when there is no display (1280x800)
#   HAVEN_DEMO_SCREENSHOT  where to save its picture; set, it runs headless
#                          even on a display
#   HAVEN_DEMO_WAIT        seconds the kiosk must stay up before it counts
#                          as started (4)
#   HAVEN_DEMO_CHECK       a command run beside the kiosk once it has started,
#                          on its display and D-Bus session; the demo fails
#                          if it fails (tests/demo reads the welcome page
#                          through AT-SPI with it)
#   HAVEN_DEMO_BUILD_DIR   an already built tree to run instead of ./build
#
# The desk's demo takes these:
#   HAVEN_DESK_DEMO_PORT        the receiver's port on 127.0.0.1 (8444)
#   HAVEN_DESK_DEMO_STATE       where its certificates, settings, key file and
#                               stores go (~/.local/state/haven-desk-demo)
#   HAVEN_DESK_DEMO_SIZE        the virtual screen when there is no display
#                               (1366x768)
#   HAVEN_DESK_DEMO_SCREENSHOT  where to save its picture of the inbox; set,
#                               it runs headless even on a display
#   HAVEN_DESK_DEMO_CHECK       a command run beside the desk once its inbox
#                               shows, on its display and D-Bus session; the
#                               demo fails if it fails (tests/desk-demo walks
#                               the desk with the keyboard alone with it)
#   HAVEN_DESK_DEMO_BUILD_DIR   an already built tree to run instead of ./build
set -euo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$source_dir"

packages=(
  # Build
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev
  libjson-glib-dev libsqlite3-dev libgnutls28-dev libqrencode-dev
  libsodium-dev libical-dev libmicrohttpd-dev libpq-dev
  # Run: glib-networking gives libsoup its TLS; without it no HTTPS at all.
  glib-networking dbus dbus-x11
  # The receiver's tests on PostgreSQL run a throwaway cluster of their own
  # (initdb, pg_ctl, psql); without it they are skipped. The audit log's
  # test tries to change it behind the receiver's back with sqlite3 and
  # psql; the unit test checks haven-receiver.service with systemd-analyze.
  postgresql sqlite3 systemd
  # Fonts for every offered language: Latin, Cyrillic, Arabic, Vietnamese
  # (fonts-noto-core) and Chinese (fonts-noto-cjk)
  fonts-noto-core fonts-noto-cjk
  # Demo certificates and the validation tests
  openssl desktop-file-utils appstream
  # The QR code test reads codes back with zbarimg; the summary test reads
  # the printed PDF back with pdftotext
  zbar-tools poppler-utils
  # Headless display, screenshots
  xvfb xauth imagemagick x11-apps
  # The accessibility tests drive Haven through AT-SPI, as a screen reader,
  # and with key presses alone (xdotool)
  at-spi2-core python3-pyatspi gir1.2-atspi-2.0 xdotool
  # Haven under the cage kiosk compositor, photographed with grim (tests/kiosk)
  cage grim xwayland
  # The fuzz targets (tests/fuzz): clang and its libFuzzer
  clang libclang-rt-14-dev
)

log () {
  printf '\033[1m%s\033[0m\n' "$*" >&2
}

install_packages () {
  local missing=()
  local package

  for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done

  if [ ${#missing[@]} -eq 0 ]; then
    return
  fi

  if [ "$(id -u)" -ne 0 ]; then
    log "Missing packages: ${missing[*]}"
    log "Run this script as root (or with sudo) to install them."
    exit 1
  fi

  log "Installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# configure BUILD_DIR [MESON_OPTIONS...]
configure () {
  local build_dir=$1
  shift

  if [ -f "$build_dir/build.ninja" ]; then
    meson configure "$build_dir" "$@" >/dev/null
  else
    meson setup "$build_dir" "$@" >/dev/null
  fi
  log "Building in $build_dir"
  meson compile -C "$build_dir" >/dev/null
}

run_headless () {
  dbus-run-session -- xvfb-run -a -s '-screen 0 1280x800x24' "$@"
}

run_tests () {
  local status=0

  install_packages
  configure build -Dwarning_level=3 -Dwerror=true
  # meson's timeout only catches a test that hangs: every test that waits
  # has its own deadline and says what it waited for. A busy machine (two
  # cores, other builds beside) may make a test take twice its usual time,
  # and a sanitized build three times more, so the timeouts allow for both.
  log "Running the test suite"
  run_headless meson test -C build --print-errorlogs --num-processes 2 \
    --timeout-multiplier 2 || status=1

  # The same suite built with AddressSanitizer and UndefinedBehaviorSanitizer.
  # GTK and fontconfig keep caches for the life of the process, which
  # LeakSanitizer cannot tell from leaks, so leaks are checked in the core's
  # tests only.
  configure build-sanitize -Dwarning_level=3 -Dwerror=true \
    -Db_sanitize=address,undefined -Db_lundef=false
  log "Running the test suite under AddressSanitizer and UndefinedBehaviorSanitizer"
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    run_headless meson test -C build-sanitize --print-errorlogs --num-processes 2 \
      --timeout-multiplier 6 || status=1

  # Each parser of outside input under libFuzzer for 20 s over its corpus,
  # built with clang in a tree of its own (tests/fuzz/README.md).
  CC=clang configure build-fuzz -Dfuzzing=true -Dwarning_level=3 -Dwerror=true \
    -Db_sanitize=address,undefined -Db_lundef=false
  log "Running the fuzz targets over their corpora"
  meson test -C build-fuzz --suite fuzz --print-errorlogs --num-processes 2 || status=1

  return $status
}

# enter_build_tree [BUILT_DIR]: builds ./build unless given a tree already
# built, then takes on the environment its programs run in.
enter_build_tree () {
  build_dir=${1:-$source_dir/build}
  install_packages
  if [ -z "${1:-}" ]; then
    configure "$build_dir" -Dwarning_level=3 -Dwerror=true
  fi
  # The build tree's programs run in the environment `meson devenv` gives
  # them (data/meson.build, po/meson.build): the one place that says where
  # uninstalled programs find their schema, data, content and catalogs,
  # for a developer, for this script and for the tests alike.
  eval "$(meson devenv -C "$build_dir" --dump)"
}

# make_demo_state STATE_DIR: the demo's private folder, with a certificate
# authority and a server certificate for 127.0.0.1, made once.
make_demo_state () {
  local state_dir=$1

  mkdir -p "$state_dir"
  chmod 700 "$state_dir"
  if [ ! -f "$state_dir/pki/server.pem" ]; then
    log "Making a demo certificate authority in $state_dir/pki"
    mkdir -p "$state_dir/pki"
    tests/make-pki.sh "$state_dir/pki"
  fi
}

# start_receiver STATE_DIR PORT [OPTION...]: haven-receiver over TLS on
# 127.0.0.1 with a SQLite store in STATE_DIR, stopped with this script.
start_receiver () {
  local state_dir=$1 port=$2
  shift 2

  log "Starting haven-receiver on https://127.0.0.1:$port"
  haven-receiver --listen "127.0.0.1:$port" \
    --cert "$state_dir/pki/server.pem" --key "$state_dir/pki/server-key.pem" \
    "$@" --db "$state_dir/receiver.sqlite" >"$state_dir/receiver.log" 2>&1 &
  # Global: the trap runs after the caller has returned.
  receiver_pid=$!
  # The receiver goes with the demo however it ends, Ctrl+C included.
  trap 'kill $receiver_pid 2>/dev/null; wait $receiver_pid 2>/dev/null' EXIT
  trap 'exit 130' INT TERM
}

# wait_for_receiver STATE_DIR PORT HINT: until havenctl, with the settings
# in the environment, reaches the receiver (5 s at most); fails saying why
# when the receiver stopped.
wait_for_receiver () {
  local state_dir=$1 port=$2 hint=$3

  for _ in $(seq 50); do
    kill -0 "$receiver_pid" 2>/dev/null || break
    havenctl backend check >/dev/null 2>&1 && break
    sleep 0.1
  done
  if ! kill -0 "$receiver_pid" 2>/dev/null; then
    log "haven-receiver stopped; its log ($state_dir/receiver.log) says:"
    cat "$state_dir/receiver.log" >&2
    log "Is port $port taken? $hint uses another."
    exit 1
  fi
}

run_demo () {
  local state_dir=${HAVEN_DEMO_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/haven-demo}
  local port=${HAVEN_DEMO_PORT:-8443}

  # HAVEN_DEMO_BUILD_DIR: a tree already built (the demo's own test runs
  # the demo from the build it tests); otherwise ./build, made here.
  enter_build_tree "${HAVEN_DEMO_BUILD_DIR:-}"
  make_demo_state "$state_dir"

  # Requests are sealed for the receiver the moment a visitor confirms
  # them, as on a real kiosk: the receiver keeps the key pair, the kiosk
  # gets its public half (backend-public-key below).
  if [ ! -f "$state_dir/keypair" ]; then
    log "Making the demo receiver's key pair for sealed requests in $state_dir/keypair"
    if ! haven-receiver --make-keypair "$state_dir/keypair" >/dev/null 2>"$state_dir/keypair.log"; then
      cat "$state_dir/keypair.log" >&2
      exit 1
    fi
  fi
  local public_key
  public_key=$(awk '$1 == "public" { print $2 }' "$state_dir/keypair")
  if [ -z "$public_key" ]; then
    log "$state_dir/keypair has no public key; delete it and run the demo again"
    exit 1
  fi

  start_receiver "$state_dir" "$port" --keypair "$state_dir/keypair"

  # The demo keeps its settings in a file of its own rather than in the
  # machine's dconf database.
  export GSETTINGS_BACKEND=keyfile
  export XDG_CONFIG_HOME=$state_dir/config
  gsettings set io.github.havenkiosk.Haven backend-url "https://127.0.0.1:$port"
  gsettings set io.github.havenkiosk.Haven ca-file "$state_dir/pki/ca.pem"
  gsettings set io.github.havenkiosk.Haven backend-public-key "$public_key"
  gsettings set io.github.havenkiosk.Haven kiosk-id "demo-kiosk"
  gsettings set io.github.havenkiosk.Haven languages "['en', 'es']"
  gsettings set io.github.havenkiosk.Haven kiosk-mode false

  wait_for_receiver "$state_dir" "$port" "HAVEN_DEMO_PORT=N ./setup.sh demo"
  havenctl backend check || true

  # The referral directory: the demo's services, for a kiosk in Great Britain.
  havenctl directory import "$source_dir/data/directory/demo-directory.json" \
    --db "$state_dir/directory.sqlite"
  gsettings set io.github.havenkiosk.Haven directory-file "$state_dir/directory.sqlite"
  gsettings set io.github.havenkiosk.Haven region GB-LND

  # The kiosk, beside the check that HAVEN_DEMO_CHECK names, if any.
  local kiosk_script='
    haven & kiosk=$!
    sleep "${HAVEN_DEMO_WAIT:-4}"
    if ! kill -0 $kiosk 2>/dev/null; then
      wait $kiosk
      echo "Haven stopped (status $?) within ${HAVEN_DEMO_WAIT:-4} s of starting" >&2
      exit 1
    fi
    if [ -n "${HAVEN_DEMO_CHECK:-}" ] && ! bash -c "$HAVEN_DEMO_CHECK"; then
      echo "HAVEN_DEMO_CHECK failed: $HAVEN_DEMO_CHECK" >&2
      kill $kiosk
      exit 1
    fi'

  if [ -n "${HAVEN_DEMO_SCREENSHOT:-}" ] || { [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; }; then
    # No screen here: run the kiosk on a virtual one and photograph it,
    # and fail if the kiosk did not live to be photographed.
    local screenshot=${HAVEN_DEMO_SCREENSHOT:-$state_dir/haven.png}
    local size=${HAVEN_DEMO_SIZE:-1280x800}
    log "No display: running Haven under Xvfb at $size and saving $screenshot"
    gsettings set io.github.havenkiosk.Haven kiosk-mode true
    # A window that is up may not have drawn yet on a busy machine: the
    # screen is photographed until it shows more than a blank background
    # (an empty screen has a couple of colours), for up to 60 s.
    if ! dbus-run-session -- xvfb-run -a -s "-screen 0 ${size}x24" bash -c "$kiosk_script"'
      for _ in $(seq 120); do
        kill -0 $kiosk 2>/dev/null || { echo "Haven stopped before it drew its window" >&2; exit 1; }
        import -window root "$1"
        [ "$(convert "$1" -format %k info:)" -gt 16 ] && break
        sleep 0.5
      done
      if [ "$(convert "$1" -format %k info:)" -le 16 ]; then
        echo "Haven did not draw its window within 60 s" >&2
        kill $kiosk
        exit 1
      fi
      kill $kiosk
      wait $kiosk 2>/dev/null
      exit 0' _ "$screenshot" 2>"$state_dir/kiosk.log"; then
      cat "$state_dir/kiosk.log" >&2
      log "The kiosk did not start; what it printed is above (and in $state_dir/kiosk.log)."
      exit 1
    fi
    log "Saved $screenshot"
  else
    log "Starting Haven"
    dbus-run-session -- bash -c "$kiosk_script"'
      wait $kiosk'
  fi
}

# The desk demo's made-up cases, each a request as a kiosk's visitor would
# confirm it: write_demo_requests FOLDER. Every one is fictional, with
# example addresses, and says so.
write_demo_requests () {
  local folder=$1

  mkdir -p "$folder"
  cat >"$folder/intimate-images-es.json" <<'JSON'
{"locale": "es", "category": "intimate-images",
 "items": [
  {"url": "https://example.social/p/40417", "description": "Una foto mía publicada sin mi permiso por una expareja (caso inventado para la demostración)."},
  {"url": "https://video.example.net/v/ab12cd", "description": "El mismo vídeo, subido de nuevo en otra página."}],
 "reporter": {"role": "self", "consent_to_contact": false},
 "declaration": {"accurate": true, "authorised": true}}
JSON
  cat >"$folder/harassment-ar.json" <<'JSON'
{"locale": "ar", "category": "harassment",
 "items": [
  {"url": "https://example.social/u/anon-8812", "description": "حساب مجهول يرسل لي رسائل مسيئة كل يوم (حالة خيالية للعرض)."}],
 "reporter": {"role": "self", "consent_to_contact": false},
 "declaration": {"accurate": true, "authorised": true}}
JSON
  cat >"$folder/impersonation-fr.json" <<'JSON'
{"locale": "fr", "category": "impersonation",
 "items": [
  {"url": "https://photos.example.org/profil/claire.d.officiel", "description": "Un faux profil utilise mon nom et mes photos pour demander de l’argent à mes amis (cas fictif de démonstration)."}],
 "reporter": {"role": "self", "consent_to_contact": false},
 "declaration": {"accurate": true, "authorised": true}}
JSON
  cat >"$folder/fraud-en.json" <<'JSON'
{"locale": "en", "category": "fraud",
 "incident": {"started_on": "2026-11-02",
  "summary": "Made-up demo case: I paid a seller on a marketplace for a second-hand bike. They stopped answering and the listing was removed.",
  "losses": {"amount": "180.00", "currency": "GBP"},
  "answers": {"where": "website", "still-happening": "no", "payment-method": "bank-transfer"}},
 "evidence": ["screenshots of the listing", "the bank transfer receipt"],
 "reporter": {"role": "self", "consent_to_contact": false},
 "declaration": {"accurate": true, "authorised": true}}
JSON
  cat >"$folder/child-en.json" <<'JSON'
{"locale": "en", "category": "child-abuse-material", "child_involved": true,
 "items": [
  {"url": "https://forum.example.com/t/88213", "description": "A parent reports a thread that shares pictures of their child without permission (made-up demo case)."}],
 "reporter": {"role": "parent-or-guardian", "consent_to_contact": false},
 "declaration": {"accurate": true, "authorised": true}}
JSON
  cat >"$folder/waiting.json" <<'JSON'
{"locale": "en", "category": "harassment",
 "items": [{"url": "https://example.social/p/1", "description": "Made-up demo request, never sent."}],
 "reporter": {"role": "self", "consent_to_contact": false},
 "declaration": {"accurate": true, "authorised": true}}
JSON
}

# demo_kiosk KIOSK_ID COMMAND...: COMMAND (havenctl) with the settings of
# the demo kiosk KIOSK_ID, each in a folder of its own.
demo_kiosk () {
  local kiosk_id=$1
  shift
  GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME=$kiosks_dir/$kiosk_id "$@"
}

# The desk's page on screen, read through AT-SPI as a screen reader would:
# `desk-shows.py unlock|inbox` waits (60 s at most) until the desk shows its
# Unlock button or an inbox with cases.
write_desk_watcher () {
  cat >"$1" <<'PY'
import sys, time
import pyatspi

want = sys.argv[1]
deadline = time.monotonic() + 60

def find(node, matches):
    if matches(node):
        return node
    for index in range(node.childCount):
        child = node.getChildAtIndex(index)
        if child is not None and child.getState().contains(pyatspi.STATE_VISIBLE):
            found = find(child, matches)
            if found is not None:
                return found
    return None

def shown():
    for app in pyatspi.Registry.getDesktop(0):
        if app is None or app.name != "haven-desk":
            continue
        if want == "unlock":
            return find(app, lambda n: n.getRole() == pyatspi.ROLE_PUSH_BUTTON
                        and n.name == "Unlock")
        return find(app, lambda n: n.getRole() == pyatspi.ROLE_LIST and n.name == "Cases"
                    and n.childCount > 0)
    return None

while time.monotonic() < deadline:
    try:
        if shown() is not None:
            sys.exit(0)
    except Exception:
        pass  # the tree changes under our feet
    time.sleep(0.2)
sys.exit(f"Haven Desk did not show its {want} page within 60 s")
PY
}

run_desk_demo () {
  local state_dir=${HAVEN_DESK_DEMO_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/haven-desk-demo}
  local port=${HAVEN_DESK_DEMO_PORT:-8444}
  # Made up for the demo and printed for all to see: never for real cases.
  local passphrase="demo passphrase, not for real cases"
  local kiosk_ids=(library-lobby community-centre clinic-waiting-room)
  local public_key kiosk_id token request

  enter_build_tree "${HAVEN_DESK_DEMO_BUILD_DIR:-}"
  make_demo_state "$state_dir"

  # Each run starts afresh: a new key, a new store, the same cases.
  kiosks_dir=$state_dir/kiosks
  rm -rf "$kiosks_dir" "$state_dir/desk-config" "$state_dir/requests"
  rm -f "$state_dir"/receiver.sqlite* "$state_dir/organisation.key" "$state_dir/caseworker.token"

  # The desk keeps its settings in a file of its own.
  export GSETTINGS_BACKEND=keyfile
  export XDG_CONFIG_HOME=$state_dir/desk-config
  gsettings set io.github.havenkiosk.Haven.Desk key-file "$state_dir/organisation.key"
  log "Making the organisation's key file in $state_dir/organisation.key"
  public_key=$(printf '%s\n' "$passphrase" | haven-desk --create-key-file)

  # The receiver holds no key, as the recommended deployment: it keeps
  # each request sealed as it came, for the desk alone to open.
  haven-receiver credentials add --role caseworker --name demo-caseworker \
    --db "$state_dir/receiver.sqlite" >"$state_dir/caseworker.token"
  chmod 600 "$state_dir/caseworker.token"
  for kiosk_id in "${kiosk_ids[@]}"; do
    mkdir -p "$kiosks_dir/$kiosk_id"
    token=$(haven-receiver credentials add --role kiosk --name "$kiosk_id" \
      --db "$state_dir/receiver.sqlite")
    (umask 077 && printf '%s\n' "$token" >"$kiosks_dir/$kiosk_id/token")
    demo_kiosk "$kiosk_id" gsettings set io.github.havenkiosk.Haven backend-url "https://127.0.0.1:$port"
    demo_kiosk "$kiosk_id" gsettings set io.github.havenkiosk.Haven ca-file "$state_dir/pki/ca.pem"
    demo_kiosk "$kiosk_id" gsettings set io.github.havenkiosk.Haven backend-public-key "$public_key"
    demo_kiosk "$kiosk_id" gsettings set io.github.havenkiosk.Haven token-file "$kiosks_dir/$kiosk_id/token"
    demo_kiosk "$kiosk_id" gsettings set io.github.havenkiosk.Haven kiosk-id "$kiosk_id"
    demo_kiosk "$kiosk_id" gsettings set io.github.havenkiosk.Haven outbox-file "$kiosks_dir/$kiosk_id/outbox.sqlite"
  done

  start_receiver "$state_dir" "$port"
  GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME=$kiosks_dir/${kiosk_ids[0]} \
    wait_for_receiver "$state_dir" "$port" "HAVEN_DESK_DEMO_PORT=N ./setup.sh desk-demo"

  # The made-up cases, sealed to the organisation's key by the kiosks'
  # own code and delivered; the third kiosk keeps eleven requests queued,
  # as one that cannot reach the receiver would, so that the desk shows
  # it as backed up.
  log "Sending made-up cases from the demo kiosks"
  write_demo_requests "$state_dir/requests"
  for request in intimate-images-es harassment-ar; do
    demo_kiosk library-lobby havenctl outbox add "$state_dir/requests/$request.json" >/dev/null
  done
  for request in impersonation-fr fraud-en child-en; do
    demo_kiosk community-centre havenctl outbox add "$state_dir/requests/$request.json" >/dev/null
  done
  demo_kiosk library-lobby havenctl outbox flush
  demo_kiosk community-centre havenctl outbox flush
  for _ in $(seq 11); do
    demo_kiosk clinic-waiting-room havenctl outbox add "$state_dir/requests/waiting.json" >/dev/null
  done
  rm -rf "$state_dir/requests"
  for kiosk_id in "${kiosk_ids[@]}"; do
    demo_kiosk "$kiosk_id" havenctl backend report-status
  done

  gsettings set io.github.havenkiosk.Haven.Desk backend-url "https://127.0.0.1:$port"
  gsettings set io.github.havenkiosk.Haven.Desk ca-file "$state_dir/pki/ca.pem"
  gsettings set io.github.havenkiosk.Haven.Desk token-file "$state_dir/caseworker.token"
  gsettings set io.github.havenkiosk.Haven.Desk lock-after-idle 15
  # The sender the demo's notices to platforms name: made up, as the rest.
  gsettings set io.github.havenkiosk.Haven.Desk notifier-name 'Demo Support Centre (made up)'
  gsettings set io.github.havenkiosk.Haven.Desk notifier-email 'notices@support.example.org'

  printf '\n\033[1mDemo only — passphrase: %s ; organisation public key: %s\033[0m\n' \
    "$passphrase" "$public_key"
  printf 'Both are made up for this demo and printed for anyone to see: never use them for real cases.\n\n'

  # The desk, beside the check that HAVEN_DESK_DEMO_CHECK names, if any.
  write_desk_watcher "$state_dir/desk-shows.py"
  export HAVEN_DESK_DEMO_PASSPHRASE=$passphrase HAVEN_DESK_DEMO_STATE=$state_dir
  local desk_script='
    watch () { /usr/bin/python3 "$HAVEN_DESK_DEMO_STATE/desk-shows.py" "$1"; }
    haven-desk & desk=$!
    # A program started with & ignores Ctrl+C: the desk is stopped here.
    trap '\''kill $desk 2>/dev/null; exit 130'\'' INT TERM
    check () {
      if ! kill -0 $desk 2>/dev/null; then
        wait $desk
        echo "Haven Desk stopped (status $?)" >&2
        exit 1
      fi
      if [ -n "${HAVEN_DESK_DEMO_CHECK:-}" ] && ! bash -c "$HAVEN_DESK_DEMO_CHECK"; then
        echo "HAVEN_DESK_DEMO_CHECK failed: $HAVEN_DESK_DEMO_CHECK" >&2
        kill $desk
        exit 1
      fi
    }'

  if [ -n "${HAVEN_DESK_DEMO_SCREENSHOT:-}" ] || { [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; }; then
    # No screen here: the desk on a virtual one, unlocked with key presses
    # as a caseworker would, photographed once its inbox shows.
    local screenshot=${HAVEN_DESK_DEMO_SCREENSHOT:-$state_dir/haven-desk.png}
    local size=${HAVEN_DESK_DEMO_SIZE:-1366x768}
    log "No display: running Haven Desk under Xvfb at $size and saving $screenshot"
    if ! dbus-run-session -- xvfb-run -a -s "-screen 0 ${size}x24" bash -c "$desk_script"'
      watch unlock || { kill $desk; exit 1; }
      # No window manager: the window is made as large as the screen, and
      # given the keyboard.
      window=$(xdotool search --onlyvisible --name "^Haven Desk$" | head -n 1)
      xdotool windowsize "$window" 100% 100% windowfocus --sync "$window"
      xdotool type --delay 20 "$HAVEN_DESK_DEMO_PASSPHRASE"
      xdotool key Return
      watch inbox || { kill $desk; exit 1; }
      # The list is there; it may not be drawn yet: the screen is
      # photographed until it shows more than the bare window, for up to 30 s.
      for _ in $(seq 60); do
        import -window root "$1"
        [ "$(convert "$1" -format %k info:)" -gt 256 ] && break
        sleep 0.5
      done
      check
      kill $desk
      wait $desk 2>/dev/null
      exit 0' _ "$screenshot" 2>"$state_dir/desk.log"; then
      cat "$state_dir/desk.log" >&2
      log "The desk demo failed; what it printed is above (and in $state_dir/desk.log)."
      exit 1
    fi
    log "Saved $screenshot"
  else
    log "Starting Haven Desk"
    dbus-run-session -- bash -c "$desk_script"'
      if [ -n "${HAVEN_DESK_DEMO_CHECK:-}" ]; then
        watch unlock && check
      fi
      wait $desk'
  fi
}

case "${1:-}" in
  demo)
    run_demo
    ;;
  desk-demo)
    run_desk_demo
    ;;
  test)
    run_tests
    ;;
  *)
    echo "Usage: $0 demo|desk-demo|test" >&2
    exit 2
    ;;
esac
