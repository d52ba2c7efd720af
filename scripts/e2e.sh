#!/usr/bin/env bash
# End-to-end test of mapictl against a real SMTP server: mailpit with
# STARTTLS (a certificate made here) and an htpasswd auth file (apr1 hashes
# from `openssl passwd -apr1`). Messages are checked through mailpit's HTTP
# API. Needs: go, openssl, curl, jq; installs mailpit with `go install` when
# missing. Usage: scripts/e2e.sh
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$PATH:$(go env GOPATH)/bin"
command -v mailpit >/dev/null || go install github.com/axllent/mailpit@v1.33.1
for t in openssl curl jq; do command -v $t >/dev/null || { echo "e2e: $t is required" >&2; exit 1; }; done

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/mapictl" ./cmd/mapictl
m() { "$work/mapictl" "$@"; }

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
expect_exit() { # expect_exit WANT DESC -- CMD...
	local want=$1 desc=$2; shift 3
	set +e; "$@" >"$work/out" 2>"$work/err"; local got=$?; set -e
	if [[ $got == "$want" ]]; then ok "$desc (exit $got)"; else bad "$desc: exit $got, want $want"; cat "$work/err"; fi
}

# --- certificate for 127.0.0.1 and an htpasswd file
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	-keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
printf 'ci@example.com:%s\n' "$(openssl passwd -apr1 's3cret-e2e')" >"$work/htpasswd"

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
SMTP_PORT=$(port) HTTP_PORT=$(port)
mailpit --smtp "127.0.0.1:$SMTP_PORT" --listen "127.0.0.1:$HTTP_PORT" \
	--smtp-tls-cert "$work/cert.pem" --smtp-tls-key "$work/key.pem" --smtp-require-starttls \
	--smtp-auth-file "$work/htpasswd" --enable-chaos --smtp-disable-rdns -d "$work/mailpit.db" \
	>"$work/mailpit.log" 2>&1 &
pids+=($!)
api="http://127.0.0.1:$HTTP_PORT/api/v1"
for _ in $(seq 100); do curl -fs "$api/messages" >/dev/null 2>&1 && break; sleep 0.1; done
chaos() { curl -fs -X PUT -H 'Content-Type: application/json' -d "$1" "$api/chaos" >/dev/null; }
count() { curl -fs "$api/messages?limit=1" | jq -r .messages_count; }

# --- a store with one SMTP transport, credentials from stdin
export MAPICTL_STORE="$work/store" MAPICTL_NO_INPUT=1
m profile create e2e --default >/dev/null 2>&1
m section create mailpit --transport smtp --set smtp.host=127.0.0.1 --set smtp.port="$SMTP_PORT" \
	--set smtp.ca-file="$work/cert.pem" --set email=ci@example.com --set display-name="CI Bot" >/dev/null
printf 's3cret-e2e\n' | m credential set mailpit --username ci@example.com --password-stdin >/dev/null

# 1. a message arrives as sent
expect_exit 0 "send over STARTTLS+AUTH" -- m message send --to release@example.org --bcc hidden@example.org \
	--subject "v1.4.2 released ✓" --body "notes" -o json
id=$(curl -fs "$api/messages" | jq -r '.messages[0].ID')
msg=$(curl -fs "$api/message/$id")
[[ $(jq -r .Subject <<<"$msg") == "v1.4.2 released ✓" ]] && ok "subject intact" || bad "subject: $(jq -r .Subject <<<"$msg")"
[[ $(jq -r '.From.Address' <<<"$msg") == "ci@example.com" ]] && ok "from" || bad "from"
[[ $(jq -r '[.Bcc[].Address]|join(",")' <<<"$msg") == "hidden@example.org" ]] && ok "bcc in envelope" || bad "bcc envelope"
# (mailpit itself adds a Bcc header for envelope-only recipients, so the wire-level
# absence of Bcc is asserted by the in-process go-smtp tests; here: not in To/Cc)
curl -fs "$api/message/$id/headers" | jq -e '([.To[]?, .Cc[]?]|join(",")|contains("hidden@"))|not' >/dev/null \
	&& ok "bcc address not in To/Cc" || bad "bcc address leaked into To/Cc"

# 2. a wrong password is 77, stage auth
printf 'wrong\n' | m credential set mailpit --username ci@example.com --password-stdin >/dev/null
expect_exit 77 "wrong password" -- m message send --to a@example.org --subject x --body y -o json
jq -e '.error.stage=="auth"' "$work/err" >/dev/null && ok "stage auth in json" || bad "stage: $(cat "$work/err")"
printf 's3cret-e2e\n' | m credential set mailpit --username ci@example.com --password-stdin >/dev/null

# 3. 5xx from the server at RCPT for every recipient: 67 (SPEC §9), in spool/failed with an NDR
chaos '{"Recipient":{"ErrorCode":550,"Probability":100}}'
expect_exit 67 "permanent 550 at RCPT" -- m message send --to b@example.org --subject x --body y
# 3b. 5xx to MAIL FROM: the transport failed permanently, 69
chaos '{"Recipient":{"ErrorCode":550,"Probability":0},"Sender":{"ErrorCode":550,"Probability":100}}'
expect_exit 69 "permanent 550 at MAIL" -- m message send --to b@example.org --subject x --body y
chaos '{"Sender":{"ErrorCode":550,"Probability":0}}'
# 4. 4xx: 75, queued; a flush after the outage delivers it
chaos '{"Recipient":{"ErrorCode":451,"Probability":100}}'
expect_exit 75 "temporary 451 queues" -- m message send --to c@example.org --subject queued --body y
chaos '{"Recipient":{"ErrorCode":451,"Probability":0}}'
expect_exit 0 "flush after the outage" -- m spool flush
curl -fs "$api/search?query=subject:queued" | jq -e '.messages_count==1' >/dev/null && ok "queued message arrived" || bad "queued message missing"

# 5. 100 messages with 30% of recipients failing temporarily: all arrive
curl -fs -X DELETE "$api/messages" >/dev/null
chaos '{"Recipient":{"ErrorCode":451,"Probability":30}}'
for i in $(seq 100); do m message send --queue --to "bulk$i@example.org" --subject "bulk $i" --body "n $i" >/dev/null; done
for round in $(seq 30); do
	m spool flush >/dev/null 2>&1 || true
	left=$(m spool list -o json | jq '[.[]|select(.state=="queued")]|length')
	[[ $left == 0 ]] && break
done
chaos '{"Recipient":{"ErrorCode":451,"Probability":0}}'
m spool flush >/dev/null 2>&1 || true
[[ $(count) == 100 ]] && ok "100 of 100 arrived under chaos" || bad "arrived: $(count) of 100"
[[ $(m spool list -o json | jq '[.[]|select(.state=="queued")]|length') == 0 ]] && ok "outbox empty" || bad "outbox not empty"

# 6. sessions: logon verifies AUTH, then sending needs no identity file
if m session --help >/dev/null 2>&1; then
	eval "$(m session logon)"
	mv "$MAPICTL_STORE/identity.txt" "$work/identity.txt"
	expect_exit 0 "send under a session without the identity file" -- m message send --to s@example.org --subject session --body y
	mv "$work/identity.txt" "$MAPICTL_STORE/identity.txt"
	eval "$(m session logoff)"
fi

# no plaintext secret anywhere in the store
if grep -rq 's3cret-e2e' "$MAPICTL_STORE"; then bad "password found in plaintext under the store"; else ok "no plaintext password in the store"; fi

# =====================================================================
# 7. issue 8: mapictl as sendmail for real clients (git send-email, mutt,
#    a cron-style pipe with -t), each checked through mailpit's API.
#    git and mutt parts run only when those programs are installed.
# =====================================================================
curl -fs -X DELETE "$api/messages" >/dev/null
ln -sf "$work/mapictl" "$work/sendmail"
latest() { curl -fs "$api/search?query=$(jq -rn --arg q "$1" '$q|@uri')" | jq -r '.messages[0].ID'; }

# cron-style: the binary named sendmail, Debian cron's options, recipients from -t
printf 'To: cron@example.org\nBcc: cron-hidden@example.org\nSubject: cron e2e\n\njob output\n' |
	"$work/sendmail" -FCronDaemon -i -B8BITMIME -oem -t && ok "sendmail -t exit 0" || bad "sendmail -t failed"
id=$(latest 'subject:"cron e2e"')
msg=$(curl -fs "$api/message/$id")
[[ $(jq -r .ReturnPath <<<"$msg") == "ci@example.com" ]] && ok "cron: envelope sender" || bad "cron: return path $(jq -r .ReturnPath <<<"$msg")"
[[ $(jq -r '[.Bcc[]?.Address]|join(",")' <<<"$msg") == "cron-hidden@example.org" ]] && ok "cron: -t Bcc in the envelope" || bad "cron: bcc"
curl -fs "$api/message/$id/headers" | jq -e '([.To[]?, .Cc[]?]|join(",")|contains("cron-hidden@"))|not' >/dev/null &&
	ok "cron: Bcc not in To/Cc" || bad "cron: Bcc leaked"
curl -fs "$api/message/$id/raw" | grep -q '^From: "\?CronDaemon"\? <ci@example.com>' && ok "cron: From added from -F" || bad "cron: From"

if command -v git >/dev/null && [[ -x "$(git --exec-path)/git-send-email" ]]; then
	repo="$work/repo"
	git init -q "$repo"
	git -C "$repo" config user.name "CI Bot"
	git -C "$repo" config user.email ci@example.com
	printf 'line one\n' >"$repo/file.txt"
	git -C "$repo" add file.txt && git -C "$repo" commit -qm "base"
	printf 'line one\n.\n..leading dots\n' >"$repo/file.txt"
	git -C "$repo" commit -qam "spool: dots in a patch"
	printf 'line one\n.\n..leading dots\nünïcödé\n' >"$repo/file.txt"
	git -C "$repo" commit -qam "spool: non-ASCII line"
	git -C "$repo" format-patch -q -o "$work/patches" -2
	if (cd "$repo" && git send-email --sendmail-cmd="$work/mapictl sendmail" --from="CI Bot <ci@example.com>" \
		--to=dev@example.org --cc=review@example.org --confirm=never --suppress-cc=all --8bit-encoding=UTF-8 \
		--quiet "$work/patches"/*.patch >"$work/send-email.log" 2>&1); then
		ok "git send-email exit 0"
	else
		bad "git send-email failed: $(tail -3 "$work/send-email.log")"
	fi
	n=$(curl -fs "$api/search?query=$(jq -rn '"subject:\"[PATCH\""|@uri')" | jq -r .messages_count)
	[[ $n == 2 ]] && ok "git: patch series of 2 arrived" || bad "git: $n of 2 arrived"
	id=$(latest 'subject:"dots in a patch"')
	raw=$(curl -fs "$api/message/$id/raw" | tr -d '\r' || true)
	grep -q '^+\.\.leading dots' <<<"$raw" && grep -qx '+\.' <<<"$raw" && ok "git: patch body intact" || bad "git: patch body"
	msg=$(curl -fs "$api/message/$id" || echo "{}")
	[[ $(jq -r '[.To[]?.Address, .Cc[]?.Address]|sort|join(",")' <<<"$msg") == "dev@example.org,review@example.org" ]] &&
		ok "git: recipients" || bad "git: recipients $(jq -c '[.To,.Cc]' <<<"$msg")"
	[[ $(jq -r .ReturnPath <<<"$msg") == "ci@example.com" ]] && ok "git: envelope sender" || bad "git: return path"
else
	echo "skip git send-email (git-email not installed)"
fi

if command -v mutt >/dev/null; then
	cat >"$work/muttrc" <<MUTTRC
set sendmail="$work/mapictl sendmail -oem -oi"
set use_envelope_from=yes
set from="CI Bot <ci@example.com>"
set record=""
set folder="$work"
set spoolfile="$work/mbox"
set charset="utf-8"
MUTTRC
	touch "$work/mbox"
	if printf 'hello from mutt\n' | HOME="$work" mutt -n -F "$work/muttrc" -s "mutt e2e" \
		-b mutt-hidden@example.org -- mutt@example.org >"$work/mutt.log" 2>&1; then
		ok "mutt batch send exit 0"
	else
		bad "mutt failed: $(tail -3 "$work/mutt.log")"
	fi
	id=$(latest 'subject:"mutt e2e"')
	msg=$(curl -fs "$api/message/$id")
	[[ $(jq -r '.To[0].Address' <<<"$msg") == "mutt@example.org" ]] && ok "mutt: recipient" || bad "mutt: recipient"
	[[ $(jq -r '[.Bcc[]?.Address]|join(",")' <<<"$msg") == "mutt-hidden@example.org" ]] && ok "mutt: Bcc in the envelope" || bad "mutt: bcc"
	[[ $(jq -r .ReturnPath <<<"$msg") == "ci@example.com" ]] && ok "mutt: envelope sender" || bad "mutt: return path"
else
	echo "skip mutt (not installed)"
fi

# an outage: sendmail still exits 0 (queued, warning), and a flush delivers it
chaos '{"Recipient":{"ErrorCode":451,"Probability":100}}'
printf 'Subject: outage e2e\n\nx\n' | "$work/sendmail" -i outage@example.org 2>"$work/outage.err" &&
	grep -q 'queued as' "$work/outage.err" && ok "sendmail during an outage: exit 0, queued" || bad "sendmail during an outage"
chaos '{"Recipient":{"ErrorCode":451,"Probability":0}}'
"$work/sendmail" -q >/dev/null 2>&1 || true
[[ $(curl -fs "$api/search?query=subject:outage" | jq -r .messages_count) == 1 ]] && ok "queued sendmail message flushed" || bad "outage message missing"

echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
