#!/usr/bin/env bash
# A private Dovecot (IMAP and POP3) on loopback for the incoming-mail tests and
# bench rows of issue 27. Nothing of the system's Dovecot is touched: the
# config, certificate, passwd-file, sockets, logs and mail all live in DIR,
# and Dovecot is started with `dovecot -c DIR/dovecot.conf`.
#
#   scripts/dovecot.sh start DIR [OAUTH2...]
#                                       start; writes DIR/env (source it) and prints it
#   scripts/dovecot.sh stop DIR         stop it (waits for the master to exit)
#   scripts/dovecot.sh fill DIR USER N [BYTES]
#                                       put N messages of ~BYTES (default 10240)
#                                       into USER's INBOX (Maildir, written directly)
#   scripts/dovecot.sh empty DIR USER   remove every message of USER (and the indexes)
#   scripts/dovecot.sh uidvalidity DIR USER N
#                                       set INBOX's UIDVALIDITY to N (doveadm), as a
#                                       server that lost its uidlist would
#
# What DIR/env gives (all on 127.0.0.1):
#   DOVECOT_HOST (127.0.0.1), DOVECOT_NAME (localhost: for clients that match
#   the certificate's CN or DNS name only, as mbsync and fetchmail do),
#   DOVECOT_IMAPS_PORT (implicit TLS), DOVECOT_IMAP_PORT (STARTTLS),
#   DOVECOT_POP3S_PORT (implicit TLS), DOVECOT_POP3_PORT (STLS), DOVECOT_CA (the
#   self-signed certificate, CN=localhost, SAN IP:127.0.0.1 and DNS:localhost),
#   DOVECOT_USER1/DOVECOT_PASS1 and DOVECOT_USER2/DOVECOT_PASS2 (passwd-file, PLAIN
#   scheme so SCRAM-SHA-256 works too), DOVECOT_MAILDIR1/2 (the server's Maildirs),
#   DOVECOT_MAIL_USER (the uid mail is read as), DOVECOT_CONF, DOVECOT_DIR.
# Mechanisms offered: PLAIN, LOGIN, SCRAM-SHA-256, POP3 USER/PASS. Dovecot
# counts a loopback connection as secured, so on the STARTTLS ports it accepts
# these before STARTTLS too (even with ssl = required): that a client never
# sends credentials in clear is for the client's own tests to show. UIDPLUS,
# IDLE, UIDL, PIPELINING: Dovecot's defaults.
#
# Root (CI): Dovecot refuses to read mail as uid 0 (first_valid_uid), so the
# mail processes run as an unprivileged user, mapictl-test, created here with
# useradd when missing. It is also default_internal_user, so the auth process
# can read the passwd-file that only it and root may read; the login processes
# stay dovenull (the package's user), chrooted as Dovecot does by default. The
# master runs as root (to bind, chroot and switch uid), as Dovecot expects.
# default_internal_group is that user's group, for the sockets Dovecot makes.
# Not root (a developer): Dovecot's "rootless" mode; every process is the
# caller, login chroots are off (tried: starts, serves).
#
# The peers for a bench row (scripts/inbound-peers.sh runs and times them):
# mbsync (isync), fetchmail (--mda maildrop) and getmail6, each with a config
# generated from DIR/env; see that script.
#
# OAuth 2.0 (issue 28): start takes either of
#   --oauth2 URL                        tokens are checked with a GET to URL with
#                                       "Authorization: Bearer TOKEN" (a userinfo
#                                       endpoint: introspection_mode = auth)
#   --oauth2-introspect URL ID SECRET   tokens are checked by RFC 7662 introspection:
#                                       POST token=TOKEN to URL as the resource
#                                       client ID/SECRET (HTTP Basic), and must be
#                                       "active": true (introspection_mode = post)
# and optionally --oauth2-user EMAIL (default dana@corp.example, the user of
# internal/oauthtest and scripts/oidc-provider). Either adds an oauth2 passdb
# (DIR/dovecot-oauth2.conf.ext, username_attribute = email) for the mechanisms
# XOAUTH2 and OAUTHBEARER, which are then offered too; the passwd-file passdb
# serves only the password mechanisms, so alice and bob log on as before.
# EMAIL is the SASL user name a client must send (Dovecot compares it with the
# provider's answer, lower-cased) and a mail user whose home is
# DIR/home/LOCALPART (userdb static, %n): `fill DIR LOCALPART N` fills it. No
# auth cache: a token the provider revoked is refused at once. DIR/env adds
# DOVECOT_OAUTH2_USER (EMAIL), DOVECOT_OAUTH2_LOCAL (LOCALPART) and
# DOVECOT_OAUTH2_MAILDIR. URL may be http:// on loopback (the test provider).
# Tried with scripts/oidc-provider: both modes log on; but its userinfo answers
# a revoked token with 403 and "{}", which Dovecot 2.3 reports as a temporary
# failure (NO [UNAVAILABLE], "No username returned"), not a refusal: tests of
# refused tokens use --oauth2-introspect ({"active": false}: AUTHENTICATIONFAILED).
#
# Needs: dovecot-imapd, dovecot-pop3d (Debian), openssl, python3.
set -euo pipefail

die() { echo "dovecot.sh: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -e/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2; exit 2; }

(($# >= 2)) || usage
cmd=$1 dir=$2
shift 2

conf_of() { echo "$dir/dovecot.conf"; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# as_mail_user CMD...: run CMD as the user that owns the mail.
as_mail_user() {
	if [[ $(id -u) == 0 ]]; then
		setpriv --reuid="$DOVECOT_MAIL_USER" --regid="$DOVECOT_MAIL_USER" --init-groups -- "$@"
	else
		"$@"
	fi
}

load_env() {
	[[ -f $dir/env ]] || die "$dir/env missing: not started with 'start $dir'?"
	# shellcheck disable=SC1091
	source "$dir/env"
}

maildir_of() { # USER
	local u=$1
	[[ $u =~ ^[a-z0-9]+$ ]] || die "bad user name $u"
	echo "$dir/home/$u/Maildir"
}

start() {
	local o2url="" o2mode="" o2id="" o2secret="" o2user=dana@corp.example
	while (($#)); do
		case $1 in
		--oauth2) (($# >= 2)) || usage; o2url=$2 o2mode=auth; shift 2 ;;
		--oauth2-introspect) (($# >= 4)) || usage; o2url=$2 o2id=$3 o2secret=$4 o2mode=post; shift 4 ;;
		--oauth2-user) (($# >= 2)) || usage; o2user=$2; shift 2 ;;
		*) usage ;;
		esac
	done
	local o2local=${o2user%%@*}
	if [[ -n $o2mode ]]; then
		[[ $o2url =~ ^https?://[^@/]+(/.*)?$ ]] || die "--oauth2: $o2url is not an http(s) URL without credentials"
		[[ $o2user =~ ^[a-z0-9]+@[a-z0-9.-]+$ ]] || die "--oauth2-user: $o2user: want localpart@domain, lower case, localpart [a-z0-9]"
		[[ $o2local != alice && $o2local != bob ]] || die "--oauth2-user: $o2local is a password user"
		if [[ $o2mode == post ]]; then
			# Dovecot sends a URL's user and password as HTTP Basic
			[[ $o2id =~ ^[A-Za-z0-9._~-]+$ && $o2secret =~ ^[A-Za-z0-9._~-]+$ ]] ||
				die "--oauth2-introspect: client id and secret must be URL-safe ([A-Za-z0-9._~-])"
			o2url="${o2url%%://*}://$o2id:$o2secret@${o2url#*://}"
		fi
	fi
	command -v dovecot >/dev/null || die "dovecot not installed (apt-get install dovecot-imapd dovecot-pop3d)"
	[[ -x /usr/lib/dovecot/imap && -x /usr/lib/dovecot/pop3 ]] || die "dovecot-imapd and dovecot-pop3d are both needed"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[[ -z $(ls -A "$dir") ]] || die "$dir is not empty"

	local mailuser loginuser chroot_line=""
	if [[ $(id -u) == 0 ]]; then
		mailuser=mapictl-test
		if ! id -u "$mailuser" >/dev/null 2>&1; then
			useradd --system --user-group --no-create-home --home-dir /nonexistent \
				--shell /usr/sbin/nologin "$mailuser"
		fi
		loginuser=dovenull
		id -u "$loginuser" >/dev/null 2>&1 || loginuser=$mailuser
		# The mail user must reach DIR/home, the login user nothing in DIR.
		chmod 0711 "$dir"
	else
		mailuser=$(id -un)
		loginuser=$mailuser
		chroot_line="chroot ="
	fi
	local uid gid
	uid=$(id -u "$mailuser") gid=$(id -g "$mailuser")

	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
	chmod 0600 "$dir/key.pem"
	chmod 0644 "$dir/cert.pem"

	local u1=alice p1=alice-pw-1 u2=bob p2=bob-pw-2
	printf '%s:{PLAIN}%s\n%s:{PLAIN}%s\n' "$u1" "$p1" "$u2" "$p2" >"$dir/passwd"
	chmod 0600 "$dir/passwd"
	chown "$uid:$gid" "$dir/passwd"

	local homes=("$u1" "$u2") passdbs="" mechs=""
	if [[ -n $o2mode ]]; then
		homes+=("$o2local")
		{
			echo "# Generated by scripts/dovecot.sh: the oauth2 passdb's settings."
			echo "introspection_url = $o2url"
			echo "introspection_mode = $o2mode"
			echo "username_attribute = email"
			if [[ $o2mode == post ]]; then
				# RFC 7662: an inactive token is {"active": false}
				echo "force_introspection = yes"
				echo "active_attribute = active"
				echo "active_value = true"
			fi
			echo "timeout_msecs = 10000"
		} >"$dir/dovecot-oauth2.conf.ext"
		# the auth process reads it; it may hold the resource client's secret
		chmod 0600 "$dir/dovecot-oauth2.conf.ext"
		chown "$uid:$gid" "$dir/dovecot-oauth2.conf.ext"
		passdbs="passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $dir/dovecot-oauth2.conf.ext
}"
		mechs=" xoauth2 oauthbearer"
	fi

	mkdir -p "$dir/run" "$dir/state"
	for u in "${homes[@]}"; do
		mkdir -p "$dir/home/$u/Maildir"/{cur,new,tmp}
		chmod -R 0700 "$dir/home/$u"
	done
	chmod 0711 "$dir/home"
	chown -R "$uid:$gid" "$dir/home"/*

	local imap imaps pop3 pop3s
	imap=$(free_port) imaps=$(free_port) pop3=$(free_port) pop3s=$(free_port)

	cat >"$dir/dovecot.conf" <<EOF
# Generated by scripts/dovecot.sh: a private test server, nothing shared.
base_dir = $dir/run
state_dir = $dir/state
instance_name = mapictl-test-$$
log_path = $dir/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login scram-sha-256$mechs
default_internal_user = $mailuser
default_internal_group = $(id -gn "$mailuser")
default_login_user = $loginuser
first_valid_uid = $uid
last_valid_uid = 0
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xv%08Xu
$passdbs
passdb {
  driver = passwd-file
  ${mechs:+mechanisms = plain login scram-sha-256}
  args = scheme=PLAIN username_format=%n $dir/passwd
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dir/home/%n
}
service imap-login {
  inet_listener imap {
    port = $imap
  }
  inet_listener imaps {
    port = $imaps
    ssl = yes
  }
  $chroot_line
}
service pop3-login {
  inet_listener pop3 {
    port = $pop3
  }
  inet_listener pop3s {
    port = $pop3s
    ssl = yes
  }
  $chroot_line
}
# Quiet services this harness does not need.
service anvil {
  $chroot_line
}
EOF

	cat >"$dir/env" <<EOF
DOVECOT_DIR=$dir
DOVECOT_CONF=$dir/dovecot.conf
DOVECOT_HOST=127.0.0.1
DOVECOT_NAME=localhost
DOVECOT_IMAPS_PORT=$imaps
DOVECOT_IMAP_PORT=$imap
DOVECOT_POP3S_PORT=$pop3s
DOVECOT_POP3_PORT=$pop3
DOVECOT_CA=$dir/cert.pem
DOVECOT_USER1=$u1
DOVECOT_PASS1=$p1
DOVECOT_MAILDIR1=$dir/home/$u1/Maildir
DOVECOT_USER2=$u2
DOVECOT_PASS2=$p2
DOVECOT_MAILDIR2=$dir/home/$u2/Maildir
DOVECOT_MAIL_USER=$mailuser
EOF
	[[ -z $o2mode ]] || cat >>"$dir/env" <<EOF
DOVECOT_OAUTH2_USER=$o2user
DOVECOT_OAUTH2_LOCAL=$o2local
DOVECOT_OAUTH2_MAILDIR=$dir/home/$o2local/Maildir
EOF

	# Dovecot's daemon keeps the descriptors it was given: not ours, or a
	# caller's $(dovecot.sh start DIR) or pipe would wait for it to exit.
	dovecot -c "$dir/dovecot.conf" </dev/null >"$dir/startup.log" 2>&1 ||
		{ cat "$dir/startup.log" "$dir/dovecot.log" >&2 2>/dev/null; die "dovecot did not start"; }
	# Ready when all four ports accept.
	local p ok
	for p in $imap $imaps $pop3 $pop3s; do
		ok=0
		for _ in $(seq 100); do
			if python3 -c 'import socket,sys;socket.create_connection(("127.0.0.1",int(sys.argv[1])),1).close()' "$p" 2>/dev/null; then
				ok=1; break
			fi
			sleep 0.05
		done
		((ok)) || { cat "$dir/dovecot.log" >&2; die "port $p never opened"; }
	done
	cat "$dir/env"
}

stop() {
	local pidf=$dir/run/master.pid pid
	[[ -f $pidf ]] || return 0
	pid=$(cat "$pidf")
	dovecot -c "$(conf_of)" stop 2>/dev/null || kill "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	die "dovecot master $pid still running"
}

# fill USER N BYTES: each message is plain text of about BYTES bytes with a
# distinct Message-ID, subject and body; written to tmp/ then renamed into
# new/, as any Maildir writer does, so a running Dovecot may pick them up.
fill() {
	local u=$1 n=$2 bytes=${3:-10240} md
	md=$(maildir_of "$u")
	load_env
	# python3 may be a shim the mail user cannot run (pyenv under /root): it
	# runs as the caller and hands each file to the mail user before the rename.
	python3 - "$md" "$n" "$bytes" "$(id -u "$DOVECOT_MAIL_USER")" "$(id -g "$DOVECOT_MAIL_USER")" <<'EOF'
import os, sys, time
md, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
uid, gid = int(sys.argv[4]), int(sys.argv[5])
chown = os.getuid() == 0
now = int(time.time())
pid = os.getpid()
line = "The quick brown fox jumps over the lazy dog, message %d line %d."
for i in range(n):
    head = ("From: Sender <sender@example.test>\r\n"
            "To: Recipient <rcpt@example.test>\r\n"
            "Subject: test message %d\r\n"
            "Date: Mon, 07 Dec 2026 12:00:00 +0000\r\n"
            "Message-ID: <%d.%d.%d@example.test>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n"
            "\r\n") % (i, now, pid, i)
    body, k = [], 0
    total = len(head)
    while total < size:
        l = (line % (i, k)) + "\r\n"
        body.append(l); total += len(l); k += 1
    data = (head + "".join(body)).encode()
    name = "%d.M%dP%d.mapictl-fill" % (now, i, pid)
    tmp = os.path.join(md, "tmp", name)
    with open(tmp, "wb") as f:
        f.write(data)
    if chown:
        os.chown(tmp, uid, gid)
    os.rename(tmp, os.path.join(md, "new", name + ",S=%d" % len(data)))
EOF
}

empty() {
	local u=$1 md
	md=$(maildir_of "$u")
	load_env
	as_mail_user find "$md" -mindepth 1 -maxdepth 1 ! -name cur ! -name new ! -name tmp -exec rm -rf {} +
	as_mail_user find "$md/cur" "$md/new" "$md/tmp" -mindepth 1 -delete
}

uidvalidity() {
	local u=$1 v=$2
	load_env
	doveadm -c "$(conf_of)" mailbox update -u "$u" --uid-validity "$v" INBOX
}

case $cmd in
start) start "$@" ;;
stop) stop ;;
fill) (($# >= 2)) || usage; fill "$@" ;;
empty) (($# == 1)) || usage; empty "$1" ;;
uidvalidity) (($# == 2)) || usage; uidvalidity "$@" ;;
*) usage ;;
esac
