#!/bin/sh
# demo.sh: the whole flow on a fresh machine, with no mail server.
# Builds mapictl, makes a throwaway store with one profile whose transport is
# a local Maildir, sends a message with an attachment, and prints the file
# that arrived in the Maildir. Nothing outside a temporary directory is touched.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== building mapictl"
(cd "$repo" && go build -o "$tmp/mapictl" ./cmd/mapictl)
mapictl() { "$tmp/mapictl" "$@"; }

export MAPICTL_STORE="$tmp/store" MAPICTL_NO_INPUT=1
unset MAPICTL_PROFILE MAPICTL_SESSION MAPICTL_IDENTITY MAPICTL_IDENTITY_FILE MAPICTL_OUTPUT 2>/dev/null || true

echo "== creating a profile with a maildir transport"
mapictl profile create demo --default
mapictl section create local --transport maildir \
	--set display-name="Demo Sender" --set email=demo@example.com \
	--set maildir.path="$tmp/Maildir"

echo "== sending a message with an attachment"
printf 'quarterly numbers: 42\n' >"$tmp/report.txt"
mapictl message send --to '"Li, Dana" <dana@example.com>' --subject 'Hello from mapictl' \
	--body 'The report is attached.' --attach "$tmp/report.txt"

echo "== delivered into $tmp/Maildir/new"
for f in "$tmp"/Maildir/new/*; do
	cat "$f"
done
