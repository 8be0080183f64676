#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Makes a small PKI for haven-receiver and the kiosk: the integration tests
# use it with a short validity, the demo with the default one.
#
#   make-pki.sh [--days N] DIR
#
# Writes into DIR:
#   ca.pem, ca-key.pem                    the CA that signs everything below
#   server.pem, server-key.pem            the receiver (127.0.0.1 and localhost)
#   client.pem, client-key.pem            a kiosk, for mutual TLS
#   other-ca.pem, other-ca-key.pem        an unrelated CA (untrusted-certificate tests)
#   other-client.pem, other-client-key.pem
#                                         a client certificate signed by other-ca, which a
#                                         receiver trusting ca.pem must refuse
#   other-key.pem                         an unrelated key (pin-mismatch tests)
#
# All keys are ECDSA P-256. Quiet on success; on failure openssl's own
# message is printed.
set -euo pipefail

usage () {
  echo "usage: $0 [--days N] DIR" >&2
  exit 2
}

days=825
dir=
while [ $# -gt 0 ]; do
  case "$1" in
    --days)
      [ $# -ge 2 ] || usage
      days=$2
      shift 2
      ;;
    --days=*)
      days=${1#--days=}
      shift
      ;;
    -h|--help)
      echo "usage: $0 [--days N] DIR"
      exit 0
      ;;
    -*)
      usage
      ;;
    *)
      [ -z "$dir" ] || usage
      dir=$1
      shift
      ;;
  esac
done
[ -n "$dir" ] || usage
case "$days" in
  ''|*[!0-9]*|0) echo "$0: --days takes a positive number of days" >&2; exit 2 ;;
esac

mkdir -p "$dir"
cd "$dir"

# Private keys are written as readable only by their owner from the start,
# not chmod-ed afterwards.
umask 077

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# openssl is chatty on stderr even when it succeeds; show its output only
# when a step fails.
run () {
  if ! "$@" >"$work/log" 2>&1; then
    cat "$work/log" >&2
    echo "$0: failed: $*" >&2
    exit 1
  fi
}

new_key () {
  run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
}

new_ca () {
  local name=$1 subject=$2

  new_key "$name-key.pem"
  run openssl req -new -x509 -sha256 -days "$days" \
    -key "$name-key.pem" -out "$name.pem" -subj "$subject" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash"
}

# new_leaf NAME CA SUBJECT EXTENSIONS...
new_leaf () {
  local name=$1 ca=$2 subject=$3
  shift 3

  new_key "$name-key.pem"
  run openssl req -new -sha256 -key "$name-key.pem" -out "$work/$name.csr" -subj "$subject"
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" \
    "subjectKeyIdentifier=hash" \
    "authorityKeyIdentifier=keyid" \
    "$@" >"$work/$name.ext"
  # A random serial, so certificates from two runs never share one.
  run openssl x509 -req -sha256 -days "$days" \
    -in "$work/$name.csr" -CA "$ca.pem" -CAkey "$ca-key.pem" \
    -set_serial "0x$(openssl rand -hex 16)" \
    -extfile "$work/$name.ext" -out "$name.pem"
}

new_ca ca "/O=Haven test/CN=Haven test CA"
new_ca other-ca "/O=Haven test/CN=Unrelated test CA"

new_leaf server ca "/O=Haven test/CN=localhost" \
  "extendedKeyUsage=serverAuth" \
  "subjectAltName=IP:127.0.0.1,DNS:localhost"
new_leaf client ca "/O=Haven test/CN=test kiosk" \
  "extendedKeyUsage=clientAuth"
new_leaf other-client other-ca "/O=Haven test/CN=unknown kiosk" \
  "extendedKeyUsage=clientAuth"

new_key other-key.pem

# Certificates are public; only the keys stay private.
chmod 644 ca.pem other-ca.pem server.pem client.pem other-client.pem
