package inbound

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/transport"
)

// mdaScript writes a shell script MDA that appends each message and its
// environment to dir, exiting with the status in dir/status (0 if absent).
func mdaScript(t *testing.T) (argv []string, dir string) {
	t.Helper()
	sh := "/bin/sh"
	if _, err := os.Stat(sh); err != nil {
		t.Skip("no /bin/sh")
	}
	dir = t.TempDir()
	script := filepath.Join(dir, "mda.sh")
	body := `#!/bin/sh
d=$(dirname "$0")
st=0; [ -f "$d/status" ] && st=$(cat "$d/status")
if [ "$st" = 0 ]; then
  cat > "$d/msg.$MAPI_MSGREF"
  env | grep -E '^(MAPI_|MAPICTL_)' | sort >> "$d/env"
else
  cat > /dev/null
fi
exit $st
`
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	return []string{sh, script}, dir
}

func mdaBodies(t *testing.T, dir string) []string {
	var out []string
	m, _ := filepath.Glob(filepath.Join(dir, "msg.*"))
	for _, f := range m {
		b, _ := os.ReadFile(f)
		out = append(out, string(b))
	}
	return sorted(out...)
}

func TestMDATryLaterThenDelivered(t *testing.T) {
	t.Setenv("MAPICTL_PASSPHRASE", "secret")
	argv, dir := mdaScript(t)
	fx := newFixture(t)
	src := newFake("1", testBodies[:3]...)
	o := Options{MDA: argv, Section: "work", Address: "dana@example.com", Keep: false}
	os.WriteFile(filepath.Join(dir, "status"), []byte("75"), 0o600)
	res := fx.mustFetch(t, src, o)
	if res.Fetched != 0 || len(res.Errors) != 3 || res.Deleted != 0 || len(src.Msgs) != 3 {
		t.Fatalf("75: %+v", res)
	}
	if te := res.Errors[0].(*transport.Error); te.Kind != transport.KindTemporary || te.Stage != "deliver" {
		t.Fatalf("error %v", te)
	}
	os.Remove(filepath.Join(dir, "status"))
	res = fx.mustFetch(t, src, o)
	if res.Fetched != 3 || res.Deleted != 3 || len(res.Errors) != 0 {
		t.Fatalf("0: %+v", res)
	}
	if got := mdaBodies(t, dir); !equal(got, sorted(testBodies[:3]...)) {
		t.Fatalf("mda got %q", got)
	}
	env, _ := os.ReadFile(filepath.Join(dir, "env"))
	if strings.Contains(string(env), "MAPICTL_") || !strings.Contains(string(env), "MAPI_SECTION=work") ||
		!strings.Contains(string(env), "MAPI_ADDRESS=dana@example.com") || !strings.Contains(string(env), "MAPI_MSGREF=") {
		t.Fatalf("env:\n%s", env)
	}
	if left, _ := filepath.Glob(filepath.Join(fx.store, "inbound", ".mda-*")); len(left) != 0 {
		t.Fatalf("spool files left: %v", left)
	}
}

func TestMDARejected(t *testing.T) {
	argv, dir := mdaScript(t)
	fx := newFixture(t)
	src := newFake("1", testBodies[:2]...)
	o := Options{MDA: argv, Keep: false}
	os.WriteFile(filepath.Join(dir, "status"), []byte("1"), 0o600)
	res := fx.mustFetch(t, src, o)
	if len(res.Errors) != 2 || res.Deleted != 0 || len(src.Msgs) != 2 {
		t.Fatalf("rejected: %+v", res)
	}
	if te := res.Errors[0].(*transport.Error); te.Kind != transport.KindPermanent {
		t.Fatalf("error %v", te)
	}
	os.Remove(filepath.Join(dir, "status"))
	src.fetched = nil
	if res := fx.mustFetch(t, src, o); res.Fetched != 0 || len(src.fetched) != 0 {
		t.Fatalf("a rejected message was fetched again: %+v", res)
	}
	o.RetryRejected = true
	if res := fx.mustFetch(t, src, o); res.Fetched != 2 || res.Deleted != 2 {
		t.Fatalf("retry: %+v", res)
	}
	if got := mdaBodies(t, dir); !equal(got, sorted(testBodies[:2]...)) {
		t.Fatalf("mda got %q", got)
	}
}

// A message the MDA rejected, then deferred (75) under --retry-rejected,
// is no longer rejected: the next plain fetch offers it again, and once
// the MDA takes it, it is delivered once.
func TestMDADeferredRetryClearsRejection(t *testing.T) {
	argv, dir := mdaScript(t)
	fx := newFixture(t)
	src := newFake("1", testBodies[:2]...)
	o := Options{MDA: argv, Keep: true}
	status := func(s string) { os.WriteFile(filepath.Join(dir, "status"), []byte(s), 0o600) }
	status("1")
	if res := fx.mustFetch(t, src, o); len(res.Errors) != 2 {
		t.Fatalf("rejected: %+v", res)
	}
	status("75")
	retry := o
	retry.RetryRejected = true
	res := fx.mustFetch(t, src, retry)
	if res.Fetched != 0 || len(res.Errors) != 2 || res.Errors[0].(*transport.Error).Kind != transport.KindTemporary {
		t.Fatalf("deferred: %+v", res)
	}
	src.fetched = nil
	if res := fx.mustFetch(t, src, o); res.Fetched != 0 || len(src.fetched) != 2 || len(res.Errors) != 2 {
		t.Fatalf("a plain fetch after the deferral fetched %v: %+v", src.fetched, res)
	}
	os.Remove(filepath.Join(dir, "status"))
	if res := fx.mustFetch(t, src, o); res.Fetched != 2 || len(res.Errors) != 0 {
		t.Fatalf("accepted: %+v", res)
	}
	src.fetched = nil
	if res := fx.mustFetch(t, src, o); res.Fetched != 0 || len(src.fetched) != 0 {
		t.Fatalf("fetched again after delivery: %v %+v", src.fetched, res)
	}
	if got := mdaBodies(t, dir); !equal(got, sorted(testBodies[:2]...)) {
		t.Fatalf("mda got %q", got)
	}
}
