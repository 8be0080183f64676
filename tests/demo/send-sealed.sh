#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run by `./setup.sh demo` beside the kiosk it started (HAVEN_DEMO_CHECK),
# with the demo's settings: a request queued at this kiosk is kept sealed,
# with not a word of it readable in the outbox, and the demo's receiver
# opens it to check it and keeps it sealed, as received. Prints one line
# when all of that held, and fails otherwise.
#
#   send-sealed.sh RECEIVER_DB OUTBOX
set -euo pipefail

receiver_db=$1
outbox=$2
marker=demo-visitor-words-5e0c
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/request.json" <<EOF
{"category": "harassment",
 "items": [{"url": "https://example.social/p/1", "description": "$marker"}],
 "reporter": {"role": "self", "consent_to_contact": false},
 "declaration": {"accurate": true, "authorised": true}}
EOF

request_id=$(havenctl outbox add "$work/request.json")

# Sealed in the outbox, and nothing of it in the file or its log.
havenctl outbox list --json | /usr/bin/python3 -c '
import json, sys
entry = [e for e in json.load(sys.stdin) if e["request_id"] == sys.argv[1]][0]
sys.exit(0 if entry["sealed"] else "the demo kept the request unsealed")' "$request_id"
for file in "$outbox" "$outbox-wal"; do
  if [ -f "$file" ] && grep -q "$marker" "$file"; then
    echo "$file holds the request in plain text" >&2
    exit 1
  fi
done

# Delivered (the kiosk may have sent it first): the receiver answers only
# what it could open, and keeps the sealed box as it came.
havenctl outbox flush >/dev/null || true
/usr/bin/python3 - "$receiver_db" "$request_id" "$marker" <<'EOF'
import sqlite3, sys, time

db, request_id, marker = sys.argv[1:]
deadline = time.monotonic() + 20
while True:
    connection = sqlite3.connect(db)
    row = connection.execute("SELECT body, sealed FROM requests WHERE request_id = ?",
                             (request_id,)).fetchone()
    connection.close()
    if row is not None:
        break
    if time.monotonic() > deadline:
        sys.exit("the receiver did not get the request within 20 s")
    time.sleep(0.2)
if row[1] != 1 or marker.encode() in bytes(row[0]):
    sys.exit("the receiver kept the request unsealed")
EOF
echo "Sealed request delivered, checked and kept sealed by the receiver: $request_id"
