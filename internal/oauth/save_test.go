package oauth

import (
	"context"
	"slices"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/gofrs/flock"
	"golang.org/x/oauth2"

	"github.com/mapictl/mapictl/internal/mapi"
)

// A sign-in keeps the seeds of the file it replaces: a session holding an
// older seed (whose refresh token the file already used) does not start
// the file anew from it after a sign-in that saw a newer seed. Before,
// Save recorded only the newer seed's digest, and the session presented
// the used refresh token: reuse, refused (77) for good.
func TestSaveKeepsSeeds(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	session := source(t, f, newKey(t))
	_, rt1 := f.grant()
	session.Seed = Seed{RefreshToken: rt1} // profile apply S1, session logon
	if _, err := session.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	profile := *session
	_, rt2 := f.grant()
	profile.Seed = Seed{RefreshToken: rt2} // profile apply S2, credential oauth2
	at3, rt3 := f.grant()
	save(t, &profile, at3, rt3, time.Now().Add(time.Hour))

	if r := stored(t, session); !r.hasSeed(session.Seed.Digest()) || !r.hasSeed(profile.Seed.Digest()) || r.AccessToken != at3 {
		t.Fatalf("file after the sign-in: seeds %v, want both", r.Seeds)
	}
	if tok, err := session.Token(context.Background()); err != nil || tok != at3 {
		t.Fatalf("the session's Token after the sign-in = %q, %v; want the signed-in token", tok, err)
	}
	if refreshes, reuses, _ := f.counts(); refreshes != 1 || reuses != 0 {
		t.Errorf("%d refreshes, %d reuses; want 1 and 0", refreshes, reuses)
	}
}

// A sign-in replaces a file its identities cannot open (sealed to other
// keys) or that is not a token file: signing in is the user's explicit
// act; the seeds recorded are then only the one it saw.
func TestSaveReplacesUnopenable(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	other, mine := newKey(t), newKey(t)
	s := source(t, f, other)
	s.Seed = Seed{RefreshToken: "RT-old-seed"}
	save(t, s, "AT-1", "RT-1", time.Now().Add(time.Hour))

	s.Identities, s.Recipients = []age.Identity{mine.id}, fixed(mine.pub)
	s.Seed = Seed{RefreshToken: "RT-new-seed"}
	save(t, s, "AT-2", "RT-2", time.Now().Add(time.Hour))
	if r := stored(t, s); r.AccessToken != "AT-2" || !slices.Equal(r.Seeds, []string{s.Seed.Digest()}) {
		t.Errorf("file after signing in over one sealed to other keys: %+v", r)
	}
}

// Save and Reseal ask recipients holding the file's lock, so a logoff
// that re-sealed the file meanwhile is not undone (finding 6 for the
// sign-in and the re-sealer); what recipients returns is what the file is
// sealed to; an error or no one writes nothing.
func TestSaveResealAskRecipientsUnderTheLock(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	store, sess := newKey(t), newKey(t)
	s := source(t, f, store)
	calls := 0
	locked := func(rs ...string) func() ([]string, error) {
		return func() ([]string, error) {
			calls++
			ok, err := flock.New(lockPath(s.Path)).TryLock()
			if err != nil || ok {
				t.Errorf("recipients asked without the lock (TryLock %v, %v)", ok, err)
			}
			return rs, nil
		}
	}
	tok := &oauth2.Token{AccessToken: "AT-1", RefreshToken: "RT-1"}
	if err := Save(context.Background(), s.Path, tok, s.Binding, "", "", s.Identities, locked(store.pub, sess.pub)); err != nil {
		t.Fatal(err)
	}
	if !opens(t, s, sess) {
		t.Error("Save did not seal to what recipients returned")
	}
	if err := Reseal(context.Background(), s.Path, s.Identities, locked(store.pub)); err != nil {
		t.Fatal(err)
	}
	if opens(t, s, sess) || !opens(t, s, store) {
		t.Error("Reseal did not seal to what recipients returned")
	}
	if calls != 2 {
		t.Errorf("recipients asked %d times, want 2", calls)
	}

	before := fileBytes(t, s)
	for _, rs := range []func() ([]string, error){
		fixed(),
		func() ([]string, error) { return nil, mapi.Errorf(mapi.DiskError, "sessions unreadable") },
	} {
		err := Save(context.Background(), s.Path, &oauth2.Token{AccessToken: "AT-2"}, s.Binding, "", "", s.Identities, rs)
		if err == nil {
			t.Error("Save with no recipients succeeded")
		}
		if err := Reseal(context.Background(), s.Path, s.Identities, rs); err == nil {
			t.Error("Reseal with no recipients succeeded")
		}
	}
	if string(fileBytes(t, s)) != string(before) {
		t.Error("a Save or Reseal without recipients wrote the file")
	}
}
