#!/usr/bin/env bash
# The tools a user would otherwise fetch mail with, run against the private
# Dovecot of scripts/dovecot.sh: the comparison peers for an incoming-mail
# bench row (issue 27). Each fetches DOVECOT_USER1's INBOX over IMAPS
# (certificate checked against DOVECOT_CA, host name "localhost") into a local
# Maildir, leaving the messages on the server. As root (CI) the peers run as
# dovecot.sh's unprivileged DOVECOT_MAIL_USER with HOME in WORK, as users run
# them (getmail refuses to deliver as root; fetchmail warns), and WORK is
# given to that user.
#
#   scripts/inbound-peers.sh setup DIR WORK   write the peers' configs into WORK,
#                                             from DIR/env (a started dovecot.sh DIR)
#   scripts/inbound-peers.sh fetch PEER WORK  one fetch from a fresh state: PEER's
#                                             local Maildir and sync state removed
#                                             first (cheap next to the fetch), then
#                                             every message fetched
#   scripts/inbound-peers.sh count PEER WORK  messages in PEER's Maildir
#   scripts/inbound-peers.sh bench [N [RUNS]] start a Dovecot, put N (1000) messages
#                                             of 10 KB in, time each peer RUNS (3)
#                                             times round-robin, print the medians
# PEER is one of:
#   mbsync     isync's mbsync, a channel Far=IMAPS INBOX, Near=Maildir, Sync Pull,
#              SyncState in the Maildir. Pipelines its FETCHes.
#   fetchmail  IMAP over TLS (ssl, sslcertck, sslcertfile), keep + fetchall (no
#              state: every run is a first run). fetchmail writes no Maildir
#              itself: it hands each message to an MDA or to an SMTP listener.
#              The MDA here is maildrop (Debian's maildrop package: Courier's
#              small C delivery agent, one exec per message, writes tmp/ -> new/)
#              with a one-line mailfilter setting DEFAULT to the Maildir; the
#              choice and the alternatives are discussed in the notes below.
#   getmail    getmail6, SimpleIMAPSSLRetriever (ca_certs) with read_all and
#              delete off, destination type Maildir; its oldmail state file is
#              removed for a fresh state. Debian 12's getmail6 6.18.11 has a
#              lost-wakeup race between its SIGCHLD handler and the wait for
#              each per-message delivery child (getmail6 issue 226, fixed in
#              later releases; it installs the handler only after fork(), so a
#              child that exits first is never reaped by it): now and then a
#              run stalls for `timeout` seconds and aborts with "waiting child
#              pid N timed out", the rest undelivered (on this 2-core shared
#              machine: several times per 1,000 messages). timeout = 20 (default 180) keeps such a stall
#              short; the bench reports a run that fell short as failed.
#
# Notes on fetchmail's MDA: every choice costs one fork+exec per message, which
# dominates fetchmail's time. maildrop is the cheapest standard one Debian
# ships that writes a Maildir: 200 deliveries of a 10 KB message took 2.0 s
# with maildrop against 4.4 s with dovecot-lda (/usr/lib/dovecot/dovecot-lda,
# which also needs a Dovecot config and keeps Dovecot indexes in the target),
# on this 2-core shared machine. procmail (unmaintained upstream) was not
# measured. An SMTP hand-off needs a local MTA: unfair the other way. So the
# fetchmail row measures "fetchmail + maildrop", as its users run it.
#
# Needs: isync, fetchmail, getmail6, maildrop (Debian); .ci/run installs them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

die() { echo "inbound-peers.sh: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -e/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2; exit 2; }

peers=(mbsync fetchmail getmail)

setup() { # DIR WORK
	local dir=$1 w=$2
	[[ -f $dir/env ]] || die "$dir/env missing: start scripts/dovecot.sh $dir first"
	# shellcheck disable=SC1091
	source "$dir/env"
	mkdir -p "$w"
	w=$(cd "$w" && pwd)
	mkdir -p "$w/mbsync" "$w/fetchmail" "$w/getmail"

	cat >"$w/mbsync/mbsyncrc" <<EOF
IMAPAccount dovecot
Host $DOVECOT_NAME
Port $DOVECOT_IMAPS_PORT
User $DOVECOT_USER1
Pass $DOVECOT_PASS1
SSLType IMAPS
CertificateFile $DOVECOT_CA

IMAPStore remote
Account dovecot

MaildirStore local
Inbox $w/mbsync/Maildir

Channel inbox
Far :remote:INBOX
Near :local:INBOX
Sync Pull
Create Near
SyncState *
EOF

	cat >"$w/fetchmail/mailfilter" <<EOF
DEFAULT="$w/fetchmail/Maildir/"
EOF
	cat >"$w/fetchmail/fetchmailrc" <<EOF
set no syslog
poll $DOVECOT_NAME port $DOVECOT_IMAPS_PORT protocol IMAP auth password
  user "$DOVECOT_USER1" there with password "$DOVECOT_PASS1"
  ssl sslcertck sslcertfile "$DOVECOT_CA"
  keep fetchall
  mda "/usr/bin/maildrop $w/fetchmail/mailfilter"
EOF

	cat >"$w/getmail/getmailrc" <<EOF
[retriever]
type = SimpleIMAPSSLRetriever
server = $DOVECOT_NAME
port = $DOVECOT_IMAPS_PORT
username = $DOVECOT_USER1
password = $DOVECOT_PASS1
ca_certs = $DOVECOT_CA
timeout = 20
mailboxes = ("INBOX",)

[destination]
type = Maildir
path = $w/getmail/Maildir/

[options]
read_all = true
delete = false
verbose = 0
message_log_syslog = false
EOF
	chmod 0600 "$w"/*/*rc "$w/fetchmail/mailfilter"
	if [[ $(id -u) == 0 ]]; then
		echo "$DOVECOT_MAIL_USER" >"$w/user"
		chown -R "$DOVECOT_MAIL_USER:" "$w"
		setpriv --reuid="$DOVECOT_MAIL_USER" --regid="$DOVECOT_MAIL_USER" --init-groups -- test -x "$w" ||
			die "$DOVECOT_MAIL_USER cannot reach $w (make its parents traversable)"
	fi
}

# as_user WORK PEER CMD...: run CMD as the peers' user with HOME=WORK/PEER.
as_user() {
	local w=$1 p=$2
	shift 2
	if [[ -f $w/user ]]; then
		local u
		u=$(cat "$w/user")
		HOME=$w/$p setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"
	else
		HOME=$w/$p "$@"
	fi
}

fresh_maildir() { # WORK PEER
	rm -rf "$1/$2/Maildir"
	as_user "$1" "$2" mkdir -p "$1/$2/Maildir"/{cur,new,tmp}
}

fetch() { # PEER WORK
	local p=$1 w=$2
	[[ -d $w/$p ]] || die "$w/$p missing: run setup first"
	case $p in
	mbsync)
		rm -rf "$w/mbsync/Maildir"
		as_user "$w" $p mbsync -q -c "$w/mbsync/mbsyncrc" inbox
		;;
	fetchmail)
		fresh_maildir "$w" $p
		rm -f "$w/fetchmail/fetchids" "$w/fetchmail"/*.pid
		FETCHMAILHOME=$w/fetchmail as_user "$w" $p fetchmail --silent --nodetach -f "$w/fetchmail/fetchmailrc" \
			-i "$w/fetchmail/fetchids" || { local rc=$?; ((rc == 1)) || return $rc; } # 1: no mail
		;;
	getmail)
		fresh_maildir "$w" $p
		rm -f "$w/getmail"/oldmail-*
		as_user "$w" $p getmail --quiet --getmaildir="$w/getmail" --rcfile="$w/getmail/getmailrc"
		;;
	*) die "unknown peer $p (one of ${peers[*]})" ;;
	esac
}

count() { # PEER WORK
	find "$2/$1/Maildir/cur" "$2/$1/Maildir/new" -type f | wc -l
}

bench() { # [N [RUNS]]
	local n=${1:-1000} runs=${2:-3} p i
	tmp=$(mktemp -d) # global: the EXIT trap runs after bench returns
	chmod 0711 "$tmp"
	trap 'bash "$here/dovecot.sh" stop "$tmp/dovecot" || true; rm -rf "$tmp"' EXIT
	bash "$here/dovecot.sh" start "$tmp/dovecot" >/dev/null
	bash "$here/dovecot.sh" fill "$tmp/dovecot" alice "$n" 10240
	setup "$tmp/dovecot" "$tmp/w"
	declare -A times
	for ((i = 0; i < runs; i++)); do
		for p in "${peers[@]}"; do
			local t0 t1 got rc=0 t
			t0=$(date +%s.%N)
			fetch "$p" "$tmp/w" 2>"$tmp/err" || rc=$?
			t1=$(date +%s.%N)
			got=$(count "$p" "$tmp/w")
			t=$(python3 -c "print(round($t1 - $t0, 3))")
			if ((rc == 0)) && [[ $got == "$n" ]]; then
				times[$p]+="$t "
			else
				echo "  $p run $((i + 1)) failed (exit $rc, $got of $n messages in ${t}s): $(tail -1 "$tmp/err")" >&2
			fi
		done
	done
	echo "fetching $n messages of 10 KB over IMAPS from a fresh state, $runs runs each (seconds):"
	for p in "${peers[@]}"; do
		python3 - "$p" ${times[$p]:-} <<'EOF'
import statistics, sys
p, ts = sys.argv[1], [float(t) for t in sys.argv[2:]]
if not ts:
    print("  %-10s no complete run" % p)
else:
    print("  %-10s median %6.2f   complete runs %s" % (p, statistics.median(ts), " ".join("%.2f" % t for t in ts)))
EOF
	done
}

(($# >= 1)) || usage
case $1 in
setup) (($# == 3)) || usage; setup "$2" "$3" ;;
fetch) (($# == 3)) || usage; fetch "$2" "$3" ;;
count) (($# == 3)) || usage; count "$2" "$3" ;;
bench) shift; bench "$@" ;;
*) usage ;;
esac
