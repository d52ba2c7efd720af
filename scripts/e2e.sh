#!/usr/bin/env bash
# End-to-end test of mapictl against a real SMTP server: mailpit with
# STARTTLS (a certificate made here) and an htpasswd auth file (apr1 hashes
# from `openssl passwd -apr1`). Messages are checked through mailpit's HTTP
# API. Needs: go, openssl, curl, jq; installs mailpit with `go install` when
# missing. Part 8 (incoming mail, issue 27) runs against a private Dovecot
# (scripts/dovecot.sh) and mailpit's POP3 server; it is skipped with a message
# when Dovecot is not installed or `mapictl message fetch` does not exist.
# Part 9 (OAuth 2.0, issue 28) runs a real OpenID provider (scripts/oidc-provider,
# built here) and a second private Dovecot whose oauth2 passdb checks tokens at
# that provider; it is skipped likewise (Dovecot, or `credential oauth2`
# missing). Part 9 needs age too (it opens the token files to look for leaks).
# Usage: scripts/e2e.sh
# Env:   MAPICTL_BIN=PATH tests that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$PATH:$(go env GOPATH)/bin"
command -v mailpit >/dev/null || go install github.com/axllent/mailpit@v1.33.1
for t in openssl curl jq; do command -v $t >/dev/null || { echo "e2e: $t is required" >&2; exit 1; }; done

work=$(mktemp -d)
pids=()
dvroot="" # part 8's Dovecot: DIR of scripts/dovecot.sh is $dvroot/dovecot
o2root="" # part 9's (oauth2 passdb), in $o2root/dovecot
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	[[ -z $dvroot ]] || { bash scripts/dovecot.sh stop "$dvroot/dovecot" >/dev/null 2>&1 || true; rm -rf "$dvroot"; }
	[[ -z $o2root ]] || { bash scripts/dovecot.sh stop "$o2root/dovecot" >/dev/null 2>&1 || true; rm -rf "$o2root"; }
	rm -rf "$work"
}
trap cleanup EXIT

if [[ -n ${MAPICTL_BIN:-} ]]; then cp "$MAPICTL_BIN" "$work/mapictl"; else go build -o "$work/mapictl" ./cmd/mapictl; fi
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
SMTP_PORT=$(port) HTTP_PORT=$(port) POP3_PORT=$(port)
# POP3 (implicit TLS, the same htpasswd) serves part 8's send-and-fetch loop
mailpit --smtp "127.0.0.1:$SMTP_PORT" --listen "127.0.0.1:$HTTP_PORT" \
	--smtp-tls-cert "$work/cert.pem" --smtp-tls-key "$work/key.pem" --smtp-require-starttls \
	--smtp-auth-file "$work/htpasswd" --pop3 "127.0.0.1:$POP3_PORT" --pop3-auth-file "$work/htpasswd" \
	--pop3-tls-cert "$work/cert.pem" --pop3-tls-key "$work/key.pem" --enable-chaos --smtp-disable-rdns -d "$work/mailpit.db" \
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

# 5b. parallel senders (issue 29): 4 processes × 15 message send at once, while spool flush runs
# in a loop; every send exits 0 and every message arrives once
curl -fs -X DELETE "$api/messages" >/dev/null
rm -f "$work/par.fail"
par=()
for w in 1 2 3 4; do
	(for i in $(seq 15); do
		m message send --to "par$w-$i@example.org" --subject "par $w-$i" --body b >/dev/null 2>>"$work/par.err" ||
			echo "par $w-$i: exit $?" >>"$work/par.fail"
	done) &
	par+=($!)
done
(while [[ ! -e $work/par.done ]]; do m spool flush >/dev/null 2>&1 || echo "flush: exit $?" >>"$work/par.fail"; done) &
flusher=$!
wait "${par[@]}"
touch "$work/par.done"
wait "$flusher"
[[ ! -s $work/par.fail ]] && ok "60 parallel sends beside a flush loop all exit 0" ||
	{ bad "parallel sends: $(head -3 "$work/par.fail")"; tail -3 "$work/par.err"; }
subjects=$(curl -fs "$api/messages?limit=200" | jq -r '[.messages[].Subject]|sort|unique|length')
[[ $(count) == 60 && $subjects == 60 ]] && ok "60 of 60 arrived, each once" || bad "arrived: $(count), distinct subjects $subjects (want 60)"
[[ $(m spool list -o json | jq '[.[]|select(.state=="queued")]|length') == 0 ]] && ok "outbox empty after the parallel sends" || bad "outbox not empty after the parallel sends"

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

# =====================================================================
# 8. issue 27: incoming mail. `message fetch` from a private Dovecot
#    (scripts/dovecot.sh: IMAPS, POP3S, POP3 with STLS) and from mailpit's
#    POP3 server, checked by comparing files: every message in the Maildir
#    exactly once and byte-identical to the server's copy.
# =====================================================================

# digests DIR...: the sorted SHA-256 of every message file under the Maildirs
# DIR... (cur/ and new/), one a line: equal lists mean the same messages,
# byte for byte, each as many times
digests() {
	local d
	for d in "$@"; do find "$d/cur" "$d/new" -type f -print0 2>/dev/null || true; done | xargs -0 -r sha256sum | awk '{print $1}' | sort
}
nmsg() { { find "$1/cur" "$1/new" -type f 2>/dev/null || true; } | wc -l; }
# same_mail DESC WANT-FILE MAILDIR: MAILDIR holds exactly the messages of WANT-FILE (digests)
same_mail() {
	local got
	got=$(digests "$3")
	if [[ $got == "$(cat "$2")" ]]; then
		ok "$1: $(wc -l <"$2") messages, each once, bytes as on the server"
	else
		bad "$1: $(printf '%s\n' "$got" | grep -c . || true) files, want $(wc -l <"$2"); $(comm -13 "$2" <(printf '%s\n' "$got") | grep -c . || true) unknown or doubled"
	fi
}
# fetched SECTION [FLAGS...]: run message fetch -o json, print .fetched (exit status in $work/rc)
fetched() {
	local s=$1; shift
	set +e; m message fetch -s "$s" -o json "$@" >"$work/out" 2>"$work/err"; echo $? >"$work/rc"; set -e
	jq -r '.sections[0].fetched // "none"' "$work/out" 2>/dev/null || echo none
}
expect_fetched() { # DESC SECTION WANT [FLAGS...]
	local desc=$1 s=$2 want=$3 got; shift 3
	got=$(fetched "$s" "$@")
	if [[ $got == "$want" && $(cat "$work/rc") == 0 ]]; then ok "$desc: fetched $got"; else
		bad "$desc: fetched $got (exit $(cat "$work/rc")), want $want"; cat "$work/err"; fi
}

# put MAILDIR FILE...: deliver FILEs into the server's Maildir as a local MDA
# would (tmp/ then new/), owned by the mail user, so Dovecot picks them up
put() {
	local md=$1 f n=0; shift
	for f in "$@"; do
		n=$((n + 1))
		local name="$(date +%s).M${n}R$RANDOM.e2e"
		cp "$f" "$md/tmp/$name"
		[[ $(id -u) != 0 ]] || chown "$DOVECOT_MAIL_USER:" "$md/tmp/$name"
		mv "$md/tmp/$name" "$md/new/$name"
	done
}

# the awkward ones: a leading dot line (and a lone dot: POP3's terminator,
# stuffed), 8-bit headers, a 20,000-octet line, an empty body, no body at
# all, two messages with one Message-ID
special_mail() { # DIR
	python3 - "$1" <<'EOF'
import os, sys
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
h = lambda subj, mid: ("From: E2E <e2e@example.test>\r\nTo: alice@example.test\r\n"
                       "Subject: %s\r\nMessage-ID: <%s@e2e.example>\r\n" % (subj, mid))
msgs = {
    "dot": h("dots", "dot") + "\r\n.leading dot\r\n..two dots\r\n.\r\n. \r\nend\r\n",
    "8bit": ("From: Jürgen Müller <j@example.test>\r\nTo: alice@example.test\r\n"
             "Subject: Grüße aus Köln ✓\r\nMessage-ID: <8bit@e2e.example>\r\nMIME-Version: 1.0\r\n"
             "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nÄpfel, Bären\r\n"),
    "long": h("long line", "long") + "\r\n" + "x" * 20000 + "\r\n",
    "empty-body": h("empty body", "empty") + "\r\n",
    "no-body": h("no body", "nobody"),
    "dup1": h("same id 1", "dup") + "\r\nfirst\r\n",
    "dup2": h("same id 2", "dup") + "\r\nsecond\r\n",
}
for k, v in msgs.items():
    with open(os.path.join(d, k + ".eml"), "wb") as f:
        f.write(v.encode())
EOF
}

# python_reads MAILDIR N: Python's mailbox module parses N messages there
python_reads() {
	local got
	got=$(python3 - "$1" <<'EOF'
import mailbox, sys
md = mailbox.Maildir(sys.argv[1], factory=None, create=False)
n = 0
for key in md.keys():
    m = md[key]
    assert m["Message-ID"] or m["Subject"] is not None, key
    n += 1
print(n)
EOF
	) || got="error"
	[[ $got == "$2" ]] && ok "$3: Python's mailbox reads $got" || bad "$3: Python's mailbox read $got, want $2"
}

# mutt_reads MAILDIR N DESC: mutt (under script(1), for a terminal) opens the
# Maildir read-only and copies every message into an mbox, which has N
mutt_reads() {
	command -v mutt >/dev/null && command -v script >/dev/null || { echo "skip mutt read-back (mutt or script missing)"; return 0; }
	local mbox="$work/mutt-$RANDOM.mbox"
	printf 'set mbox_type=mbox\nset confirmappend=no\nset confirmcreate=no\nset quit=yes\nset move=no\nset folder=%s\n' "$work" >"$work/muttrc-in"
	TERM=xterm HOME="$work" timeout 60 script -qec "mutt -n -F $work/muttrc-in -R -f $1 -e 'push \"<tag-pattern>~A<enter><tag-prefix><copy-message>$mbox<enter><exit>\"'" /dev/null >/dev/null 2>&1 || true
	local got
	got=$(python3 -c 'import mailbox,sys; print(len(mailbox.mbox(sys.argv[1], create=False)))' "$mbox" 2>/dev/null || echo 0)
	[[ $got == "$2" ]] && ok "$3: mutt reads $got" || bad "$3: mutt read $got, want $2"
}

# fake_server PROTO: a POP3 or IMAP server on loopback that offers no
# STARTTLS/STLS and logs every line a client sends (to $work/fake-PROTO.log);
# prints its port
fake_server() {
	python3 - "$1" "$work/fake-$1.port" "$work/fake-$1.log" >/dev/null 2>&1 <<'EOF' &
import socket, sys
proto, portfile, logfile = sys.argv[1:4]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
open(portfile + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(portfile + ".tmp", portfile)
log = open(logfile, "ab", buffering=0)
while True:
    c, _ = s.accept()
    f = c.makefile("rwb", buffering=0)
    try:
        if proto == "pop3":
            f.write(b"+OK fake POP3, no STLS\r\n")
            for line in f:
                log.write(line)
                w = line.split()
                if w and w[0].upper() == b"CAPA":
                    f.write(b"+OK\r\nUSER\r\nUIDL\r\n.\r\n")
                elif w and w[0].upper() == b"QUIT":
                    f.write(b"+OK\r\n"); break
                else:
                    f.write(b"+OK\r\n")
        else:
            f.write(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake IMAP, no STARTTLS\r\n")
            for line in f:
                log.write(line)
                w = line.split()
                if len(w) < 2:
                    continue
                if w[1].upper() == b"CAPABILITY":
                    f.write(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + w[0] + b" OK\r\n")
                elif w[1].upper() == b"LOGOUT":
                    f.write(b"* BYE\r\n" + w[0] + b" OK\r\n"); break
                else:
                    f.write(w[0] + b" OK\r\n")
    except OSError:
        pass
    c.close()
EOF
	pids+=($!)
	for _ in $(seq 100); do [[ -f $work/fake-$1.port ]] && break; sleep 0.05; done
	cat "$work/fake-$1.port"
}

# kill_loop SECTION USER MAILDIR WANT ROUNDS: ROUNDS times, put 40 more
# messages on the server (their digests appended to WANT), start a real
# `message fetch`, SIGKILL it after a random 10-300 ms; prints how many
# messages each kill left in the section's Maildir
kill_loop() {
	local s=$1 u=$2 md=$3 want=$4 rounds=$5 i p left=()
	for ((i = 0; i < rounds; i++)); do
		((i == 0)) || dv fill "$u" 40
		digests "$md" >>"$want"
		"$work/mapictl" message fetch -s "$s" >/dev/null 2>&1 &
		p=$!
		sleep "0.$(printf '%03d' $((10 + RANDOM % 291)))"
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
		left+=("$(nmsg "$MAPICTL_STORE/inbox/e2e/$s")")
	done
	sort -u -o "$want" "$want" # fill's messages are distinct: a set
	echo "  $s: messages in the Maildir after each kill -9: ${left[*]}"
}

inbound_e2e() {
	# (cobra answers --help of an unknown subcommand with the parent's help, exit 0)
	if ! m message fetch --help 2>/dev/null | grep -q 'mapictl message fetch'; then
		echo "skip incoming mail (this mapictl has no 'message fetch')"
		return 0
	fi
	if ! command -v dovecot >/dev/null || [[ ! -x /usr/lib/dovecot/imap || ! -x /usr/lib/dovecot/pop3 ]]; then
		echo "skip incoming mail against Dovecot (dovecot-imapd, dovecot-pop3d not installed)"
	else
		inbound_dovecot
	fi
	inbound_mailpit
}

inbound_dovecot() {
	dvroot=$(mktemp -d)
	chmod 0711 "$dvroot" # the mail user reaches its home inside
	bash scripts/dovecot.sh start "$dvroot/dovecot" >/dev/null
	# shellcheck disable=SC1091
	source "$dvroot/dovecot/env"
	dv() { bash scripts/dovecot.sh "$1" "$dvroot/dovecot" "${@:2}"; }
	local A=$DOVECOT_MAILDIR1 B=$DOVECOT_MAILDIR2 inbox=$MAPICTL_STORE/inbox/e2e N=40

	special_mail "$work/special"
	dv fill "$DOVECOT_USER1" $N
	put "$A" "$work/special"/*.eml
	dv fill "$DOVECOT_USER2" $N
	put "$B" "$work/special"/*.eml
	local total=$((N + $(ls "$work/special" | wc -l)))
	digests "$A" >"$work/want-A"
	digests "$B" >"$work/want-B"

	# --- IMAP over TLS (alice)
	m section create imaps --inbound imap --set inbound.host="$DOVECOT_HOST" --set inbound.port="$DOVECOT_IMAPS_PORT" \
		--set inbound.ca-file="$DOVECOT_CA" --set email=alice@example.test >/dev/null
	printf '%s\n' "$DOVECOT_PASS1" | m credential set imaps --inbound --username "$DOVECOT_USER1" --password-stdin >/dev/null
	# auth=auto picks SCRAM-SHA-256, which Dovecot offers (its last, empty
	# response is an empty line: go-imap's "=" is refused, emersion/go-imap#760)
	expect_exit 0 "imaps: --dry-run, auth auto (SCRAM-SHA-256)" -- m message fetch -s imaps --dry-run
	# the rest logs on with PLAIN (over TLS): both mechanisms are exercised
	m section set imaps inbound.auth=plain >/dev/null 2>&1
	expect_exit 0 "imaps: --dry-run, auth plain" -- m message fetch -s imaps --dry-run
	[[ ! -e $inbox/imaps ]] && ok "imaps: --dry-run wrote no Maildir" || bad "imaps: --dry-run wrote $inbox/imaps"
	expect_fetched "imaps: first fetch" imaps $total
	same_mail "imaps" "$work/want-A" "$inbox/imaps"
	python_reads "$inbox/imaps" $total "imaps"
	mutt_reads "$inbox/imaps" $total "imaps"
	expect_fetched "imaps: second fetch delivers nothing" imaps 0
	[[ $(digests "$A") == "$(cat "$work/want-A")" ]] && ok "imaps: keep=true left the server's copies" || bad "imaps: server changed"

	# UIDVALIDITY changed on the server: 65 with a hint, then --resync
	# delivers only the one new message, and a fetch after it nothing
	dv uidvalidity "$DOVECOT_USER1" 4242
	expect_exit 65 "imaps: UIDVALIDITY changed" -- m message fetch -s imaps
	grep -q 'hint:.*--resync' "$work/err" && ok "imaps: hint names --resync" || bad "imaps: no --resync hint: $(cat "$work/err")"
	printf 'From: e2e@example.test\r\nSubject: after resync\r\nMessage-ID: <resync@e2e.example>\r\n\r\nnew\r\n' >"$work/resync.eml"
	put "$A" "$work/resync.eml"
	expect_fetched "imaps: --resync delivers only the new message" imaps 1 --resync
	expect_fetched "imaps: fetch after --resync" imaps 0
	digests "$A" >"$work/want-A"
	same_mail "imaps after --resync" "$work/want-A" "$inbox/imaps"

	# keep=false deletes on the server what was delivered (earlier too)
	m section set imaps inbound.keep=false >/dev/null 2>&1
	expect_fetched "imaps: keep=false" imaps 0
	[[ $(nmsg "$A") == 0 ]] && ok "imaps: keep=false emptied the server" || bad "imaps: $(nmsg "$A") left on the server"
	same_mail "imaps after keep=false" "$work/want-A" "$inbox/imaps"

	# a wrong password: 77, stage auth, the password in no output
	printf 'wrong-pw-e2e\n' | m credential set imaps --inbound --password-stdin >/dev/null
	expect_exit 77 "imaps: wrong password" -- m message fetch -s imaps -o json
	jq -e '.error.stage=="auth"' "$work/err" >/dev/null && ok "imaps: stage auth" || bad "imaps: stage: $(cat "$work/err")"
	grep -q wrong-pw-e2e "$work/out" "$work/err" && bad "imaps: password in the output" || ok "imaps: password in no output"
	printf '%s\n' "$DOVECOT_PASS1" | m credential set imaps --inbound --password-stdin >/dev/null

	# --- IMAP with STARTTLS (alice again, now empty: new mail arrives under watch)
	m section create imap-stls --inbound imap --set inbound.host="$DOVECOT_HOST" --set inbound.port="$DOVECOT_IMAP_PORT" \
		--set inbound.security=starttls --set inbound.ca-file="$DOVECOT_CA" --set inbound.auth=plain --set email=alice@example.test >/dev/null
	printf '%s\n' "$DOVECOT_PASS1" | m credential set imap-stls --inbound --username "$DOVECOT_USER1" --password-stdin >/dev/null
	expect_fetched "imap starttls: empty mailbox" imap-stls 0
	# spool watch (IDLE): a message delivered on the server lands within seconds; SIGTERM exits 0
	"$work/mapictl" spool watch -s imap-stls >"$work/watch.out" 2>"$work/watch.err" &
	local wp=$! t0 i
	sleep 1
	t0=$(date +%s.%N)
	put "$A" "$work/special/dot.eml"
	for i in $(seq 100); do [[ $(nmsg "$inbox/imap-stls") == 1 ]] && break; sleep 0.1; done
	if [[ $(nmsg "$inbox/imap-stls") == 1 ]]; then
		ok "spool watch: delivered in $(python3 -c "import time;print(round(time.time()-$t0,2))")s"
	else bad "spool watch: nothing delivered in 10s: $(tail -3 "$work/watch.err")"; fi
	kill -TERM "$wp"
	set +e; wait "$wp"; local rc=$?; set -e
	[[ $rc == 0 ]] && ok "spool watch: SIGTERM exits 0" || bad "spool watch: exit $rc after SIGTERM"
	cmp -s "$work/special/dot.eml" "$(find "$inbox/imap-stls/new" "$inbox/imap-stls/cur" -type f | head -1)" &&
		ok "spool watch: bytes as delivered" || bad "spool watch: bytes differ"

	# --- POP3 over TLS (bob), then over STLS into another section's Maildir
	m section create pop3s --inbound pop3 --set inbound.host="$DOVECOT_HOST" --set inbound.port="$DOVECOT_POP3S_PORT" \
		--set inbound.ca-file="$DOVECOT_CA" --set email=bob@example.test >/dev/null
	m section create pop3-stls --inbound pop3 --set inbound.host="$DOVECOT_HOST" --set inbound.port="$DOVECOT_POP3_PORT" \
		--set inbound.security=starttls --set inbound.ca-file="$DOVECOT_CA" --set email=bob@example.test >/dev/null
	for s in pop3s pop3-stls; do
		printf '%s\n' "$DOVECOT_PASS2" | m credential set $s --inbound --username "$DOVECOT_USER2" --password-stdin >/dev/null
		expect_fetched "$s: first fetch" $s $total
		same_mail "$s" "$work/want-B" "$inbox/$s"
		python_reads "$inbox/$s" $total "$s"
		mutt_reads "$inbox/$s" $total "$s"
		expect_fetched "$s: second fetch delivers nothing" $s 0
	done
	m section set pop3-stls inbound.keep=false >/dev/null 2>&1
	expect_fetched "pop3-stls: keep=false" pop3-stls 0
	[[ $(nmsg "$B") == 0 ]] && ok "pop3: keep=false emptied the server" || bad "pop3: $(nmsg "$B") left on the server"
	same_mail "pop3-stls after keep=false" "$work/want-B" "$inbox/pop3-stls"

	# --- STARTTLS required, offered by no server: refused at stage tls, no credential sent
	local proto port
	for proto in imap pop3; do
		port=$(fake_server $proto)
		m section create "fake-$proto" --inbound $proto --set inbound.host=127.0.0.1 --set inbound.port="$port" \
			--set inbound.security=starttls --set email=x@example.test >/dev/null
		printf 'fake-pw-e2e\n' | m credential set "fake-$proto" --inbound --username fakeuser --password-stdin >/dev/null
		expect_exit 69 "$proto: STARTTLS required but not offered" -- m message fetch -s "fake-$proto" -o json
		jq -e '.error.stage=="tls"' "$work/err" >/dev/null && ok "$proto: stage tls" || bad "$proto: stage: $(cat "$work/err")"
		if grep -qE 'fakeuser|fake-pw-e2e|ZmFrZ|LOGIN|AUTH|USER|PASS' "$work/fake-$proto.log" 2>/dev/null; then
			bad "$proto: a credential was sent in the clear: $(tr -d '\r' <"$work/fake-$proto.log" | tr '\n' ' ')"
		else ok "$proto: nothing of the credentials sent"; fi
		m section delete "fake-$proto" >/dev/null
	done

	# --- kill -9 at random moments: IMAP keep=true (alice), POP3 keep=false (bob);
	# 200 messages, then 40 more before each further kill
	dv empty "$DOVECOT_USER1"
	dv empty "$DOVECOT_USER2"
	dv fill "$DOVECOT_USER1" 200
	dv fill "$DOVECOT_USER2" 200
	: >"$work/want-A"
	: >"$work/want-B"
	m section create kill-imap --inbound imap --set inbound.host="$DOVECOT_HOST" --set inbound.port="$DOVECOT_IMAPS_PORT" \
		--set inbound.ca-file="$DOVECOT_CA" --set inbound.auth=plain --set email=alice@example.test >/dev/null
	printf '%s\n' "$DOVECOT_PASS1" | m credential set kill-imap --inbound --username "$DOVECOT_USER1" --password-stdin >/dev/null
	m section create kill-pop3 --inbound pop3 --set inbound.host="$DOVECOT_HOST" --set inbound.port="$DOVECOT_POP3S_PORT" \
		--set inbound.ca-file="$DOVECOT_CA" --set inbound.keep=false --set email=bob@example.test >/dev/null
	printf '%s\n' "$DOVECOT_PASS2" | m credential set kill-pop3 --inbound --username "$DOVECOT_USER2" --password-stdin >/dev/null
	kill_loop kill-imap "$DOVECOT_USER1" "$A" "$work/want-A" 6
	kill_loop kill-pop3 "$DOVECOT_USER2" "$B" "$work/want-B" 6
	for s in kill-imap kill-pop3; do
		expect_exit 0 "$s: the fetch after 6 kill -9" -- m message fetch -s $s
	done
	same_mail "kill -9, IMAP" "$work/want-A" "$inbox/kill-imap"
	same_mail "kill -9, POP3 keep=false" "$work/want-B" "$inbox/kill-pop3"
	[[ $(nmsg "$B") == 0 ]] && ok "kill -9, POP3: the server kept nothing delivered" || bad "kill -9, POP3: $(nmsg "$B") left on the server"
	local left
	left=$(find "$inbox/kill-imap/tmp" "$inbox/kill-pop3/tmp" -type f | wc -l)
	[[ $left == 0 ]] && ok "kill -9: tmp/ empty at the end" || bad "kill -9: $left files left in tmp/"

	# no secret in the store
	if grep -rqF -e "$DOVECOT_PASS1" -e "$DOVECOT_PASS2" "$MAPICTL_STORE/inbound" "$MAPICTL_STORE/profiles"; then
		bad "a Dovecot password in plaintext under the store"
	else ok "no Dovecot password in plaintext under the store"; fi
}

# the loop a user tries first: message send through mailpit (SMTP), fetched
# back by the same section over mailpit's POP3 (implicit TLS), under a session
inbound_mailpit() {
	curl -fs -X DELETE "$api/messages" >/dev/null
	m message send --to loop@example.org --subject "loop ✓ Grüße" --body $'.leading dot\n..two\nend' >/dev/null
	m message send --to loop@example.org --subject "loop 2" --body "second" >/dev/null
	m message send --to loop@example.org --subject "loop 3" --body "" >/dev/null
	m section set mailpit inbound=pop3 inbound.host=127.0.0.1 inbound.port="$POP3_PORT" inbound.ca-file="$work/cert.pem" >/dev/null 2>&1
	local ids id
	ids=$(curl -fs "$api/messages" | jq -r '.messages[].ID')
	# mailpit's RETR (v1.33.1) sends the stored message, then CRLF, then the
	# terminating dot: a POP3 client receives the stored bytes and one empty line
	for id in $ids; do { curl -fs "$api/message/$id/raw"; printf '\r\n'; } | sha256sum | awk '{print $1}'; done | sort >"$work/want-mp"
	eval "$(m session logon)"
	mv "$MAPICTL_STORE/identity.txt" "$work/identity.txt"
	expect_fetched "mailpit: send, then fetch over POP3 under a session" mailpit 3
	mv "$work/identity.txt" "$MAPICTL_STORE/identity.txt"
	eval "$(m session logoff)"
	same_mail "mailpit loop" "$work/want-mp" "$MAPICTL_STORE/inbox/e2e/mailpit"
	python3 - "$MAPICTL_STORE/inbox/e2e/mailpit" <<'EOF' && ok "mailpit loop: subjects and dot line as sent" || bad "mailpit loop: content"
import mailbox, sys, email.header
md = mailbox.Maildir(sys.argv[1], create=False)
subj = sorted(str(email.header.make_header(email.header.decode_header(m["Subject"]))) for m in md)
assert subj == ["loop 2", "loop 3", "loop ✓ Grüße"], subj
found = False
for m in md:
    s = str(email.header.make_header(email.header.decode_header(m["Subject"])))
    if s.startswith("loop \u2713"):
        found = m.get_payload(decode=True).startswith(b".leading dot")
assert found
EOF
	expect_fetched "mailpit: second fetch" mailpit 0
}

inbound_e2e

# =====================================================================
# 9. issue 28: OAuth 2.0. A real OpenID provider (scripts/oidc-provider:
#    internal/oauthtest, zitadel/oidc's op) and a private Dovecot whose
#    oauth2 passdb checks every token by RFC 7662 introspection at that
#    provider (scripts/dovecot.sh --oauth2-introspect). `credential oauth2
#    --device` signs in (the user approves the code at the provider over
#    HTTP), `message fetch` logs on with OAUTHBEARER (IMAP) and XOAUTH2
#    (POP3), a grant the user revoked is 77 with the hint, and a CI store
#    given only a refresh token (`profile apply`, a secret env var) fetches.
#    Skipped when Dovecot or `credential oauth2` is missing.
# =====================================================================

# sign_in SECTION: `credential oauth2 SECTION --device` in the background;
# the user reads the code it prints and approves it at the provider
# (POST /test/approve). Output in $work/out and $work/err, exit status in $work/rc.
sign_in() {
	local s=$1 code="" pid
	timeout 60 "$work/mapictl" credential oauth2 "$s" --device >"$work/out" 2>"$work/err" &
	pid=$!
	for _ in $(seq 100); do
		code=$(sed -n 's/.*enter the code \([A-Z0-9-]*\).*/\1/p' "$work/err")
		[[ -z $code ]] || break
		sleep 0.1
	done
	if [[ -n $code ]]; then
		curl -fsS -X POST --data-urlencode "user_code=$code" "$OIDC_CONTROL_URL/approve" >/dev/null || true
	else
		kill "$pid" 2>/dev/null || true
	fi
	set +e; wait "$pid"; echo $? >"$work/rc"; set -e
	cat "$work/out" "$work/err" >>"$work/o2-output"
}
expect_signed_in() { # DESC SECTION
	sign_in "$2"
	if [[ $(cat "$work/rc") == 0 ]] && grep -qF "signed in as $DOVECOT_OAUTH2_USER" "$work/out"; then
		ok "$1: signed in as $DOVECOT_OAUTH2_USER"
	else bad "$1: exit $(cat "$work/rc"): $(cat "$work/out" "$work/err")"; fi
}
# tokens_of STORE: the access and refresh tokens in STORE's token files
# (opened with the store's identity, as SPEC §8 seals them), one a line;
# each is also kept in $work/o2-tokens for the hygiene checks at the end
tokens_of() {
	local f
	for f in "$1"/oauth/*.age; do
		[[ -f $f ]] || continue
		age -d -i "$1/identity.txt" "$f" | jq -r '.access_token, .refresh_token | select(. != null and . != "")'
	done | tee -a "$work/o2-tokens"
}
# o2_fetch SECTION [FLAGS...]: message fetch -o json -v, as fetched does; the
# transcript is kept for the hygiene checks
o2_fetch() {
	fetched "$@"
	cat "$work/out" "$work/err" >>"$work/o2-output"
}
expect_o2_fetched() { # DESC SECTION WANT [FLAGS...]
	local desc=$1 s=$2 want=$3 got; shift 3
	got=$(o2_fetch "$s" -v "$@")
	if [[ $got == "$want" && $(cat "$work/rc") == 0 ]]; then ok "$desc: fetched $got"; else
		bad "$desc: fetched $got (exit $(cat "$work/rc")), want $want"; grep -v '"level"' "$work/err" || true; fi
}
# dovecot_logged PATTERN: Dovecot's log has a line matching PATTERN (its log
# process writes a little after the client is done)
dovecot_logged() {
	for _ in $(seq 30); do grep -qE "$1" "$DOVECOT_DIR/dovecot.log" && return 0; sleep 0.1; done
	return 1
}

oauth2_e2e() {
	if ! m credential oauth2 --help 2>/dev/null | grep -q 'mapictl credential oauth2'; then
		echo "skip OAuth 2.0 (this mapictl has no 'credential oauth2')"
		return 0
	fi
	if ! command -v dovecot >/dev/null || [[ ! -x /usr/lib/dovecot/imap || ! -x /usr/lib/dovecot/pop3 ]]; then
		echo "skip OAuth 2.0 against Dovecot (dovecot-imapd, dovecot-pop3d not installed)"
		return 0
	fi
	command -v age >/dev/null || { echo "skip OAuth 2.0 (age is not installed)"; return 0; }
	local t0=$SECONDS
	go build -o "$work/oidc-provider" ./scripts/oidc-provider
	"$work/oidc-provider" -addr 127.0.0.1:0 >"$work/oidc.env" 2>"$work/oidc.log" &
	pids+=($!)
	for _ in $(seq 100); do grep -q '^OIDC_CONTROL_URL=' "$work/oidc.env" && break; sleep 0.1; done
	# shellcheck disable=SC1091
	source "$work/oidc.env"
	o2root=$(mktemp -d)
	chmod 0711 "$o2root"
	bash scripts/dovecot.sh start "$o2root/dovecot" --oauth2-introspect "$OIDC_INTROSPECTION_URL" \
		"$OIDC_RESOURCE_CLIENT_ID" "$OIDC_RESOURCE_CLIENT_SECRET" --oauth2-user "$OIDC_EMAIL" >/dev/null
	# shellcheck disable=SC1091
	source "$o2root/dovecot/env"
	: >"$work/o2-output"
	: >"$work/o2-tokens"
	oauth2_dovecot
	echo "  OAuth 2.0 part: $((SECONDS - t0))s"
}

oauth2_dovecot() {
	local D=$DOVECOT_OAUTH2_MAILDIR inbox=$MAPICTL_STORE/inbox/e2e N=12
	local o2=(--set email="$DOVECOT_OAUTH2_USER" --set oauth2.provider=custom --set oauth2.issuer="$OIDC_ISSUER"
		--set oauth2.client-id="$OIDC_CLIENT_ID" --set 'oauth2.scopes=["openid","email","offline_access"]')
	bash scripts/dovecot.sh fill "$DOVECOT_DIR" "$DOVECOT_OAUTH2_LOCAL" $N 2048
	digests "$D" >"$work/want-D"

	# --- sign in (device flow), then IMAP over TLS: auth=auto picks OAUTHBEARER
	m section create o-imap --inbound imap --set inbound.host="$DOVECOT_HOST" --set inbound.port="$DOVECOT_IMAPS_PORT" \
		--set inbound.ca-file="$DOVECOT_CA" "${o2[@]}" >/dev/null
	expect_exit 78 "oauth2 imap: fetch before signing in" -- m message fetch -s o-imap
	grep -q 'credential oauth2 o-imap' "$work/err" && ok "oauth2 imap: the hint names credential oauth2" ||
		bad "oauth2 imap: no credential oauth2 hint: $(cat "$work/err")"
	expect_signed_in "oauth2 imap: credential oauth2 --device" o-imap
	local files
	files=$(find "$MAPICTL_STORE/oauth" -name '*.age' -perm 0600 | wc -l)
	[[ $files == 1 && $(stat -c %a "$MAPICTL_STORE/oauth") == 700 ]] &&
		ok "oauth2: one token file, 0600 in a 0700 directory" || bad "oauth2: token files: $(ls -la "$MAPICTL_STORE/oauth")"
	[[ $(tokens_of "$MAPICTL_STORE" | wc -l) == 2 ]] &&
		ok "oauth2: the token file opens with the store's identity (access and refresh token)" ||
		bad "oauth2: the token file holds no access and refresh token"
	expect_o2_fetched "oauth2 imap: first fetch" o-imap $N
	if grep -qE 'C: [A-Za-z0-9]+ AUTHENTICATE OAUTHBEARER' "$work/err" && ! grep -qF -f "$work/o2-tokens" "$work/err"; then
		ok "oauth2 imap: -v shows AUTHENTICATE OAUTHBEARER and no token"
	else bad "oauth2 imap: no AUTHENTICATE OAUTHBEARER in the -v transcript, or a token"; fi
	dovecot_logged 'imap-login: Info: Login: user=<'"$DOVECOT_OAUTH2_USER"'>, method=OAUTHBEARER' &&
		ok "oauth2 imap: Dovecot logged $DOVECOT_OAUTH2_USER in with OAUTHBEARER (token introspected)" ||
		bad "oauth2 imap: no OAUTHBEARER login in Dovecot's log"
	same_mail "oauth2 imap" "$work/want-D" "$inbox/o-imap"
	expect_o2_fetched "oauth2 imap: second fetch delivers nothing" o-imap 0

	# --- POP3 with STLS, XOAUTH2 asked for by name
	m section create o-pop3 --inbound pop3 --set inbound.host="$DOVECOT_HOST" --set inbound.port="$DOVECOT_POP3_PORT" \
		--set inbound.security=starttls --set inbound.ca-file="$DOVECOT_CA" --set inbound.auth=xoauth2 "${o2[@]}" >/dev/null
	expect_signed_in "oauth2 pop3: credential oauth2 --device" o-pop3
	tokens_of "$MAPICTL_STORE" >/dev/null
	expect_o2_fetched "oauth2 pop3: first fetch" o-pop3 $N
	if grep -qE 'C: AUTH XOAUTH2' "$work/err" && ! grep -qF -f "$work/o2-tokens" "$work/err"; then
		ok "oauth2 pop3: -v shows AUTH XOAUTH2 and no token"
	else bad "oauth2 pop3: no AUTH XOAUTH2 in the -v transcript, or a token"; fi
	dovecot_logged 'pop3-login: Info: Login: user=<'"$DOVECOT_OAUTH2_USER"'>, method=XOAUTH2' &&
		ok "oauth2 pop3: Dovecot logged $DOVECOT_OAUTH2_USER in with XOAUTH2" || bad "oauth2 pop3: no XOAUTH2 login in Dovecot's log"
	same_mail "oauth2 pop3" "$work/want-D" "$inbox/o-pop3"

	# --- the passwd-file users still log on with passwords beside the oauth2 passdb
	m section create o-alice --inbound imap --set inbound.host="$DOVECOT_HOST" --set inbound.port="$DOVECOT_IMAPS_PORT" \
		--set inbound.ca-file="$DOVECOT_CA" --set email=alice@example.test >/dev/null
	printf '%s\n' "$DOVECOT_PASS1" | m credential set o-alice --inbound --username "$DOVECOT_USER1" --password-stdin >/dev/null
	expect_exit 0 "oauth2 dovecot: a password user beside it (auth auto: SCRAM-SHA-256)" -- m message fetch -s o-alice --dry-run

	# --- the user revokes the grant at the provider: the server refuses the
	# access token, the refresh is refused: 77 with the hint, nothing fetched
	printf 'From: e2e@example.test\r\nSubject: after the revocation\r\nMessage-ID: <revoked@e2e.example>\r\n\r\nnew\r\n' >"$work/revoked.eml"
	put "$D" "$work/revoked.eml"
	curl -fsS -X POST "$OIDC_CONTROL_URL/revoke" >/dev/null
	local s
	for s in o-imap o-pop3; do
		o2_fetch $s -v >/dev/null
		if [[ $(cat "$work/rc") == 77 ]] && jq -e 'select(.error) | .error.stage=="auth"' "$work/err" >/dev/null; then
			ok "oauth2 ${s#o-}: revoked grant: exit 77, stage auth"
		else bad "oauth2 ${s#o-}: revoked grant: exit $(cat "$work/rc"): $(grep -v '"level"' "$work/err")"; fi
		grep -qE "hint.*credential oauth2 $s" "$work/err" && ok "oauth2 ${s#o-}: revoked grant: the hint says credential oauth2 $s" ||
			bad "oauth2 ${s#o-}: revoked grant: no hint: $(grep -v '"level"' "$work/err")"
		grep -q 'AUTHENTICATIONFAILED\|-ERR' "$work/err" && ok "oauth2 ${s#o-}: revoked grant: the server refused the token first" ||
			bad "oauth2 ${s#o-}: revoked grant: no refusal by the server in the transcript"
	done
	[[ $(nmsg "$inbox/o-imap") == "$N" ]] && ok "oauth2 imap: nothing delivered with a revoked grant" || bad "oauth2 imap: $(nmsg "$inbox/o-imap") messages"
	expect_signed_in "oauth2 imap: sign in again after the revocation" o-imap
	tokens_of "$MAPICTL_STORE" >/dev/null
	expect_o2_fetched "oauth2 imap: after signing in again" o-imap 1
	digests "$D" >"$work/want-D"
	same_mail "oauth2 imap after the revocation" "$work/want-D" "$inbox/o-imap"

	# --- CI: a second store, provisioned by profile apply with a refresh token
	# from a secret env var (as a CI job's secret), no sign-in, fetches
	local ci=$work/ci-store grant seed
	grant=$(curl -fsS -d client_id="$OIDC_CLIENT_ID" -d "scope=openid email offline_access" "$OIDC_DEVICE_URL")
	curl -fsS -X POST --data-urlencode "user_code=$(jq -r .user_code <<<"$grant")" "$OIDC_CONTROL_URL/approve" >/dev/null
	seed=$(curl -fsS -d client_id="$OIDC_CLIENT_ID" -d grant_type=urn:ietf:params:oauth:grant-type:device_code \
		-d device_code="$(jq -r .device_code <<<"$grant")" "$OIDC_TOKEN_URL" | jq -r .refresh_token)
	echo "$seed" >>"$work/o2-tokens"
	cat >"$work/ci.yaml" <<EOF
profile: ci
default: true
sections:
  - name: ci-imap
    transport: none
    props:
      email: $DOVECOT_OAUTH2_USER
      inbound: imap
      inbound.host: $DOVECOT_HOST
      inbound.port: $DOVECOT_IMAPS_PORT
      inbound.ca-file: $DOVECOT_CA
      inbound.maildir: $work/ci-inbox
      oauth2.provider: custom
      oauth2.issuer: $OIDC_ISSUER
      oauth2.client-id: $OIDC_CLIENT_ID
      oauth2.scopes: [openid, email, offline_access]
    credentials:
      oauth2.refresh-token: {env: CI_REFRESH_TOKEN}
EOF
	local counts0 counts1
	counts0=$(curl -fsS "$OIDC_CONTROL_URL/counts")
	expect_exit 0 "oauth2 CI: profile apply with the refresh token from a secret env var" -- \
		env MAPICTL_STORE="$ci" CI_REFRESH_TOKEN="$seed" "$work/mapictl" profile apply -f "$work/ci.yaml"
	cat "$work/out" "$work/err" >>"$work/o2-output"
	local got
	got=$(MAPICTL_STORE=$ci o2_fetch ci-imap -v)
	if [[ $got == $((N + 1)) && $(cat "$work/rc") == 0 ]]; then ok "oauth2 CI: a store with only a refresh token fetches $got"
	else bad "oauth2 CI: fetched $got (exit $(cat "$work/rc")), want $((N + 1))"; grep -v '"level"' "$work/err" || true; fi
	same_mail "oauth2 CI" "$work/want-D" "$work/ci-inbox"
	counts1=$(curl -fsS "$OIDC_CONTROL_URL/counts")
	local new
	new=$(tokens_of "$ci" | tail -1)
	[[ -n $new && $new != "$seed" && ${counts1%% *} != "${counts0%% *}" ]] &&
		ok "oauth2 CI: refreshed; the rotated refresh token is kept ($counts1)" || bad "oauth2 CI: no rotation kept ($counts0 -> $counts1)"
	got=$(MAPICTL_STORE=$ci o2_fetch ci-imap)
	[[ $got == 0 && $(cat "$work/rc") == 0 ]] && ok "oauth2 CI: the next job's fetch (tokens from the store)" ||
		bad "oauth2 CI: second fetch $got (exit $(cat "$work/rc"))"
	[[ $(curl -fsS "$OIDC_CONTROL_URL/counts") == *" reuse=0" ]] && ok "oauth2: no refresh token presented twice (reuse=0)" ||
		bad "oauth2: reuse at the provider: $(curl -fsS "$OIDC_CONTROL_URL/counts")"

	# --- secret hygiene: no token (every one the token files held, the CI
	# seed) in any output, -v transcript, or plaintext file of either store
	sort -u -o "$work/o2-tokens" "$work/o2-tokens"
	sed -i '/^$/d' "$work/o2-tokens"
	if [[ ! -s $work/o2-tokens ]]; then bad "oauth2 hygiene: no tokens to look for"
	elif grep -qF -f "$work/o2-tokens" "$work/o2-output"; then bad "oauth2 hygiene: a token in mapictl's output"
	else ok "oauth2 hygiene: none of $(wc -l <"$work/o2-tokens") tokens in any output or -v transcript"; fi
	if find "$MAPICTL_STORE" "$ci" -type f ! -name '*.age' -print0 | xargs -0 grep -lF -f "$work/o2-tokens" >"$work/o2-leaks"; then
		bad "oauth2 hygiene: a token in plaintext: $(cat "$work/o2-leaks")"
	else ok "oauth2 hygiene: no token in plaintext under either store"; fi
}

oauth2_e2e

echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
