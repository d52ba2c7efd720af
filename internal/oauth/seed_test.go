package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// fileBytes is the token file of s as it is on disk (nil: none).
func fileBytes(t *testing.T, s *Source) []byte {
	t.Helper()
	b, err := os.ReadFile(s.Path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return b
}

// Seeding is a refresh: the seed's refresh token is presented once, and
// the provider's answer (not the seed) is what the file holds.
func TestSeedIsARefresh(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := source(t, f, newKey(t))
	at, rt := f.grant()
	s.Seed = Seed{RefreshToken: rt, AccessToken: at, Expiry: time.Now().Add(time.Hour)}

	got, err := s.Token(context.Background())
	if err != nil || got == at || !strings.HasPrefix(got, "AT-") {
		t.Fatalf("Token from a seed = %q, %v; want a refreshed token", got, err)
	}
	if refreshes, reuses, _ := f.counts(); refreshes != 1 || reuses != 0 {
		t.Errorf("%d refreshes, %d reuses; want 1 and 0", refreshes, reuses)
	}
	r := stored(t, s)
	if !r.hasSeed(s.Seed.Digest()) || r.Binding != s.Binding || r.RefreshToken == rt || !f.isLive(r.RefreshToken) ||
		r.AccessToken != got || r.TokenURL != f.srv.URL+"/token" {
		t.Errorf("seeded file: %+v", r)
	}
	wantPrivate(t, s.Path)

	// The same seed again does not replace the rotated tokens.
	s2 := *s
	if tok, err := s2.Token(context.Background()); err != nil || tok != got {
		t.Fatalf("Token with the same seed = %q, %v; want %q", tok, err, got)
	}
	// A new seed replaces the file, even one bound to other settings.
	_, rt2 := f.grant()
	s3 := *s
	s3.Seed = Seed{RefreshToken: rt2}
	s3.Binding = Binding(s.Settings, "other.example.org:465")
	tok3, err := s3.Token(context.Background())
	if err != nil || tok3 == got {
		t.Fatalf("Token with a new seed = %q, %v", tok3, err)
	}
	if r := stored(t, &s3); r.AccessToken != tok3 || r.Binding != s3.Binding || !r.hasSeed(s3.Seed.Digest()) || !r.hasSeed(s.Seed.Digest()) {
		t.Errorf("file after a new seed: %+v", r)
	}
	// The old binding, without a seed, now gets nothing.
	s4 := *s
	s4.Seed = Seed{}
	_, err = s4.Token(context.Background())
	wantCode(t, err, mapi.NoAccess, 77)
}

// Two holders of different seeds (a session's snapshot of an older seed, a
// process reading the profile's newer one) never replace each other's
// file: each seed starts it once, and the file's tokens serve both. Before
// the file kept every seed, they re-seeded in turn, each presenting a used
// refresh token: reuse, and the grant revoked.
func TestSeedsNoPingPong(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	clk := newClock()
	older := source(t, f, newKey(t))
	older.Now = clk.Now
	_, rt1 := f.grant()
	older.Seed = Seed{RefreshToken: rt1}
	newer := *older
	_, rt2 := f.grant()
	newer.Seed = Seed{RefreshToken: rt2}

	for i, s := range []*Source{older, &newer, older, &newer, older, &newer} {
		if _, err := s.Token(context.Background()); err != nil {
			t.Fatalf("turn %d: %v", i, err)
		}
		clk.add(time.Hour) // each turn needs a refresh
	}
	refreshes, reuses, _ := f.counts()
	if reuses != 0 || refreshes != 6 {
		t.Errorf("%d refreshes, %d reuses; want 6 and 0", refreshes, reuses)
	}
	r := stored(t, older)
	if !r.hasSeed(older.Seed.Digest()) || !r.hasSeed(newer.Seed.Digest()) || !f.isLive(r.RefreshToken) {
		t.Errorf("file %+v", r)
	}

	// A sign-in records the seed it saw: that seed does not replace it.
	_, rt3 := f.grant()
	signedIn := *older
	signedIn.Seed = Seed{RefreshToken: rt3}
	at4, rt4 := f.grant()
	save(t, &signedIn, at4, rt4, clk.Now().Add(time.Hour))
	if tok, err := signedIn.Token(context.Background()); err != nil || tok != at4 {
		t.Errorf("Token after a sign-in with the seed = %q, %v; want the signed-in token", tok, err)
	}
	if n, _, _ := f.counts(); n != refreshes {
		t.Errorf("the seed a sign-in saw was presented")
	}
}

// A file written before seeds were a list records its one seed as "seed":
// that seed does not start it anew.
func TestSeedLegacyFile(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	k := newKey(t)
	s := source(t, f, k)
	_, rt := f.grant()
	s.Seed = Seed{RefreshToken: rt}
	legacy := &record{AccessToken: "AT-legacy", RefreshToken: "RT-legacy", Binding: s.Binding, LegacySeed: s.Seed.Digest()}
	legacy.setExpiry(time.Now().Add(time.Hour))
	writeLegacy(t, s.Path, legacy, k.pub)
	if tok, err := s.Token(context.Background()); err != nil || tok != "AT-legacy" {
		t.Fatalf("Token = %q, %v; want the legacy file's token", tok, err)
	}
	if _, _, n := f.counts(); n != 0 {
		t.Errorf("%d requests: the legacy file's seed was presented again", n)
	}
}

// A seed the provider refuses writes nothing: no file where there was
// none, and a working file stays as it was, its tokens still served once
// the seed is gone.
func TestSeedRefusedLeavesTheFile(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := source(t, f, newKey(t))
	bad := Seed{RefreshToken: "RT-refused-seed"}

	s1 := *s
	s1.Seed = bad
	_, err := s1.Token(context.Background())
	me := wantCode(t, err, mapi.LogonFailed, 77)
	if !strings.Contains(text(me), "oauth2.refresh-token") || !strings.Contains(text(me), "mapictl credential oauth2 work") {
		t.Errorf("error %q", text(me))
	}
	if _, err := os.Stat(s.Path); !os.IsNotExist(err) {
		t.Fatalf("a refused seed left a token file: %v", err)
	}

	at, rt := f.grant()
	save(t, s, at, rt, time.Now().Add(time.Hour))
	before := fileBytes(t, s)
	for _, call := range []func(*Source) error{
		func(c *Source) error { _, err := c.Token(context.Background()); return err },
		func(c *Source) error { _, err := c.Refresh(context.Background(), at); return err },
	} {
		_, _, n0 := f.counts()
		wantCode(t, call(&s1), mapi.LogonFailed, 77)
		if _, _, n := f.counts(); n != n0+1 {
			t.Errorf("%d requests for one seeding", n-n0)
		}
		if !bytes.Equal(fileBytes(t, s), before) {
			t.Fatal("a refused seed changed the token file")
		}
	}
	if tok, err := s.Token(context.Background()); err != nil || tok != at {
		t.Errorf("Token without the seed = %q, %v; want the working token", tok, err)
	}
	if r := stored(t, s); r.RefreshToken != rt || !f.isLive(rt) {
		t.Error("the working refresh token was lost")
	}
}

// A seed with an access token only is used from memory while valid, and
// never written: it cannot be refreshed, so it must not replace a file
// that can.
func TestSeedAccessTokenOnly(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	clk := newClock()
	s := source(t, f, newKey(t))
	s.Now = clk.Now
	exp := clk.Now().Add(30 * time.Minute)
	s.Seed = Seed{AccessToken: "AT-seed", Expiry: exp}

	if tok, err := s.Token(context.Background()); err != nil || tok != "AT-seed" {
		t.Fatalf("Token = %q, %v; want the seed's", tok, err)
	}
	if e, err := s.Expiry(context.Background()); err != nil || !e.Equal(exp.UTC().Truncate(time.Second)) {
		t.Errorf("Expiry = %v, %v; want %v", e, err, exp)
	}
	if _, err := os.Stat(s.Path); !os.IsNotExist(err) {
		t.Fatalf("the seed was written: %v", err)
	}
	// Refused by a server, with no file: no refresh token.
	_, err := s.Refresh(context.Background(), "AT-seed")
	me := wantCode(t, err, mapi.LogonFailed, 77)
	if !strings.Contains(me.Msg, "no refresh token: sign in again") {
		t.Errorf("error %q", me.Msg)
	}
	// Expired, with no file: the same.
	clk.add(time.Hour)
	_, err = s.Token(context.Background())
	wantCode(t, err, mapi.LogonFailed, 77)

	// Beside a file: the file stays as it was, and serves once the seed's
	// token is refused or expired.
	clk.add(-time.Hour)
	at, rt := f.grant()
	noSeed := *s
	noSeed.Seed = Seed{}
	save(t, &noSeed, at, rt, clk.Now().Add(time.Hour))
	before := fileBytes(t, s)
	if tok, err := s.Token(context.Background()); err != nil || tok != "AT-seed" {
		t.Errorf("Token = %q, %v; want the seed's", tok, err)
	}
	if tok, err := s.Refresh(context.Background(), "AT-seed"); err != nil || tok != at {
		t.Errorf("Refresh of the seed's token = %q, %v; want the file's", tok, err)
	}
	clk.add(45 * time.Minute)
	if tok, err := s.Token(context.Background()); err != nil || tok != at {
		t.Errorf("Token after the seed expired = %q, %v; want the file's", tok, err)
	}
	if !bytes.Equal(fileBytes(t, s), before) {
		t.Error("the access-token seed changed the file")
	}
	// A sign-in that saw the seed records it: the file wins.
	save(t, s, "AT-signed-in", rt, clk.Now().Add(time.Hour))
	if tok, err := s.Token(context.Background()); err != nil || tok != "AT-signed-in" {
		t.Errorf("Token after a sign-in = %q, %v", tok, err)
	}
}

// Processes starting from one seed at once present it once: seeding holds
// the lock and re-reads the file.
func TestSeedConcurrent(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := source(t, f, newKey(t))
	_, rt := f.grant()
	s.Seed = Seed{RefreshToken: rt}
	f.with(func() { f.delay = 200 * time.Millisecond })
	tok := race(t, 6, inProcess(s))
	if refreshes, reuses, _ := f.counts(); refreshes != 1 || reuses != 0 {
		t.Errorf("%d refreshes, %d reuses; want 1 and 0", refreshes, reuses)
	}
	if r := stored(t, s); r.AccessToken != tok || !f.isLive(r.RefreshToken) {
		t.Error("the file does not hold the seeded tokens")
	}
}

// writeLegacy writes r as an older mapictl would have: as it is (version
// 1), sealed to recipients, recording none of what writeFile adds.
func writeLegacy(t *testing.T, path string, r *record, recipients ...string) {
	t.Helper()
	r.Version = 1
	pt, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := secure.Encrypt(pt, recipients)
	if err != nil {
		t.Fatal(err)
	}
	if err := fsutil.MkdirPrivate(filepath.Dir(path)); err != nil {
		t.Fatal(err)
	}
	if err := fsutil.WriteFileAtomic(path, ct); err != nil {
		t.Fatal(err)
	}
}
