#!/usr/bin/env bash
# Runs the command snippets of README.md as written (issue 25).
#
# Every ```sh block of README.md carries an HTML comment on the line just
# before its fence:
#   <!-- test: NAME -->             run the block
#   <!-- test: NAME after=OTHER --> run it in the directory and $HOME that the
#                                   block OTHER (above it) left behind
#   <!-- test: skip (REASON) -->    do not run it; the reason is required
# A ```sh (bash, shell, console or unlabelled) block without one fails the
# test, as does a marker on no block, a name used twice or an unknown OTHER.
#
# Each block runs with bash -euo pipefail in a fresh directory (the clone for
# the blocks in clone_blocks) with a throwaway $HOME, no XDG_CONFIG_HOME and
# no MAPICTL_* variable, mapictl built from the tree first on PATH, and one
# mailpit on loopback (STARTTLS with a certificate made here, trusted through
# SSL_CERT_FILE as a real server's would be through the system roots; AUTH
# from an htpasswd file). The variables a snippet expects are set:
# SMTP_HOST, SMTP_PORT, SMTP_PASSWORD, RUNNER_TEMP; GOBIN points into the
# work directory so that `go install` touches nothing else. Fixtures (files a
# snippet names, such as notes.txt or 0001-fix.patch), terminal input for the
# blocks that prompt (run under script(1) so they have a terminal) and the
# placeholders replaced before a run are in the case statements below; each
# replacement is printed. After a block, its check asks mailpit what arrived.
#
# Needs: go, openssl, curl, jq, python3, script and setsid (util-linux),
# mailpit (installed with `go install` when missing), git-send-email for the
# block that uses it. Usage: scripts/readme-test.sh [README]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
readme=${1:-README.md}

export PATH="$PATH:$(go env GOPATH)/bin"
command -v mailpit >/dev/null || go install github.com/axllent/mailpit@v1.33.1
for t in openssl curl jq python3 script setsid; do
	command -v $t >/dev/null || { echo "readme-test: $t is required" >&2; exit 1; }
done
# A block's $HOME is empty: keep go's caches where they are.
export GOCACHE=$(go env GOCACHE) GOMODCACHE=$(go env GOMODCACHE) GOPATH=$(go env GOPATH)

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# --- extract the blocks: one file each, and a list "NAME|AFTER|FILE"
mkdir "$work/blocks"
awk -v dir="$work/blocks" '
	function fail(msg) { printf "readme-test: %s:%d: %s\n", FILENAME, NR, msg > "/dev/stderr"; bad = 1 }
	infence {
		if ($0 ~ /^```[ \t]*$/) { infence = 0; if (out != "") close(out); out = ""; next }
		if (out != "") print > out
		next
	}
	/^```/ {
		lang = substr($0, 4); sub(/[ \t].*/, "", lang)
		infence = 1; out = ""
		if (lang !~ /^(sh|bash|shell|console|zsh)?$/) { marker = ""; next }
		if (marker == "") { fail("a ```" lang " block without a <!-- test: NAME --> or <!-- test: skip (reason) --> marker on the line before it"); next }
		m = marker; marker = ""
		if (m ~ /^skip[ \t]*\(.+\)$/) { skipped++; next }
		if (m ~ /^skip/) { fail("skip needs a reason: <!-- test: skip (reason) -->"); next }
		n = split(m, f, /[ \t]+/); name = f[1]; after = ""
		if (name !~ /^[a-z0-9-]+$/) { fail("bad block name \"" name "\""); next }
		for (i = 2; i <= n; i++) {
			if (f[i] ~ /^after=/) { after = substr(f[i], 7); if (!(after in seen)) fail("after=" after ": no block of that name above") }
			else fail("unknown marker option \"" f[i] "\"")
		}
		if (name in seen) fail("block name \"" name "\" used twice")
		seen[name] = 1
		out = sprintf("%s/%02d-%s.sh", dir, ++count, name)
		printf "" > out
		printf "%s|%s|%s\n", name, after, out > (dir "/list")
		next
	}
	{
		if (marker != "") fail("marker <!-- test: " marker " --> is not on the line just before a fence")
		marker = ""
	}
	/^<!--[ \t]*test:/ {
		marker = $0; sub(/^<!--[ \t]*test:[ \t]*/, "", marker); sub(/[ \t]*-->[ \t]*$/, "", marker)
		if (marker == "") fail("empty test marker")
	}
	END {
		if (infence) fail("unterminated fence")
		if (marker != "") fail("marker at the end of the file")
		printf "readme-test: %d blocks to run, %d skipped\n", count, skipped
		exit bad
	}
' "$readme" || { echo "readme-test: $readme: fix the markers above" >&2; exit 1; }
[[ -s "$work/blocks/list" ]] || { echo "readme-test: no runnable block in $readme" >&2; exit 1; }

# --- mapictl from the tree, first on PATH
mkdir "$work/bin"
go build -o "$work/bin/mapictl" ./cmd/mapictl

# --- mailpit on loopback: STARTTLS and AUTH, as a real submission server
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	-keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
dana_pw='readme-dana-pw' ci_pw='readme-ci-pw'
{
	printf 'dana:%s\n' "$(openssl passwd -apr1 "$dana_pw")"
	printf 'ci:%s\n' "$(openssl passwd -apr1 "$ci_pw")"
} >"$work/htpasswd"
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
SMTP_PORT=$(port) HTTP_PORT=$(port)
mailpit --smtp "127.0.0.1:$SMTP_PORT" --listen "127.0.0.1:$HTTP_PORT" \
	--smtp-tls-cert "$work/cert.pem" --smtp-tls-key "$work/key.pem" --smtp-require-starttls \
	--smtp-auth-file "$work/htpasswd" --smtp-disable-rdns -d "$work/mailpit.db" \
	>"$work/mailpit.log" 2>&1 &
pids+=($!)
api="http://127.0.0.1:$HTTP_PORT/api/v1"
for _ in $(seq 100); do curl -fs "$api/messages" >/dev/null 2>&1 && break; sleep 0.1; done
arrived() { # arrived SUBJECT: how many messages with that subject mailpit holds
	curl -fs "$api/search?query=$(jq -rn --arg q "subject:\"$1\"" '$q|@uri')" | jq -r .messages_count
}
recipients() { # recipients SUBJECT: the To addresses of the newest such message
	local id
	id=$(curl -fs "$api/search?query=$(jq -rn --arg q "subject:\"$1\"" '$q|@uri')" | jq -r '.messages[0].ID')
	curl -fs "$api/message/$id" | jq -r '[.To[]?.Address]|join(",")'
}

# --- per block: fixtures, terminal input, placeholders, checks
clone_blocks=" install install-static demo "
setup() { # setup NAME: in the block's directory, before it runs
	case $1 in
	ci) printf 'v1.4.2: fixes and a faster spool\n' >notes.txt ;;
	session)
		# git set up as its user has it: an identity in ~/.gitconfig
		git config --file home/.gitconfig user.name "Dana Li"
		git config --file home/.gitconfig user.email dana@corp.example
		git init -q fix && cd fix
		printf 'one\n' >f.txt && git add f.txt && HOME=../home git commit -qm base
		printf 'two\n' >f.txt && HOME=../home git commit -qam fix
		git format-patch -q -1 -o .. && cd ..
		[[ -f 0001-fix.patch ]]
		;;
	esac
}
tty_input() { # tty_input NAME: what is typed at the block's prompts; none: no terminal
	case $1 in
	byhand) printf '%s\n%s\n' "$dana_pw" "$dana_pw" ;; # credential set: password, confirmation
	sharing) printf 'y\n' ;;                          # profile accept: the question
	esac
}
placeholders() { # placeholders NAME: sed expressions for names a reader replaces
	case $1 in
	byhand) printf '%s\n' "s|smtp\.host=smtp\.corp\.example|smtp.host=localhost --set smtp.port=$SMTP_PORT|" ;;
	esac
}
check() { # check NAME: after the block, in its directory
	case $1 in
	install | install-static) [[ -x "$GOBIN/mapictl" ]] && "$GOBIN/mapictl" version >/dev/null ;;
	byhand) [[ $(arrived Saturday) == 1 ]] ;;
	ci) [[ $(arrived "v1.4.2 released") == 1 ]] ;;
	session) [[ $(arrived "[PATCH] fix") == 1 ]] && [[ $(recipients "[PATCH] fix") == dev@example.org* ]] ;;
	sharing) [[ -f colleague/profiles/team.age ]] && [[ $(stat -c %a colleague) == 700 ]] ;;
	esac
}

# --- run them
pass=0 fail=0
declare -A dirs
while IFS="|" read -r name after file; do
	if [[ -n $after ]]; then
		dir=${dirs[$after]}
	else
		dir="$work/run/$name"
		mkdir -p "$dir/home"
	fi
	dirs[$name]=$dir
	script_file="$dir/.readme-$name.sh"
	{ placeholders "$name"; } >"$work/sed"
	if [[ -s "$work/sed" ]]; then
		sed -f "$work/sed" "$file" >"$script_file"
		if cmp -s "$file" "$script_file"; then echo "FAIL $name: a placeholder is no longer in the block"; fail=$((fail + 1)); continue; fi
		{ diff "$file" "$script_file" || true; } | sed -n 's/^> /     (placeholder replaced) /p'
	else
		cp "$file" "$script_file"
	fi
	cwd=$dir
	[[ $clone_blocks == *" $name "* ]] && cwd=$repo
	input=$(tty_input "$name")
	log="$work/$name.log"
	start=$SECONDS
	set +e
	(
		set -e
		cd "$dir"
		setup "$name"
		cd "$cwd"
		for v in $(compgen -e | grep '^MAPICTL_' || true); do unset "$v"; done
		unset XDG_CONFIG_HOME
		export HOME="$dir/home" PATH="$work/bin:$PATH" SSL_CERT_FILE="$work/cert.pem" \
			SMTP_HOST=localhost SMTP_PORT SMTP_PASSWORD="$ci_pw" RUNNER_TEMP="$dir/runner-temp" \
			GOBIN="$dir/gobin" GIT_CONFIG_NOSYSTEM=1
		mkdir -p "$RUNNER_TEMP"
		if [[ -n $input ]]; then
			# a terminal for the prompts; what is typed waits in its input queue
			printf '%s\n' "$input" | script -qec "bash -euo pipefail $(printf %q "$script_file")" /dev/null
		else
			setsid -w bash -euo pipefail "$script_file" </dev/null
		fi
	) >"$log" 2>&1
	rc=$?
	set -e
	if [[ $rc == 0 ]] && (cd "$dir" && GOBIN="$dir/gobin" check "$name") >>"$log" 2>&1; then
		pass=$((pass + 1)); echo "ok   $name ($((SECONDS - start))s)"
	else
		fail=$((fail + 1)); echo "FAIL $name (exit $rc)"; sed 's/^/     | /' "$log"
	fi
done <"$work/blocks/list"

echo "readme-test: $pass passed, $fail failed"
[[ $fail == 0 ]]
