package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/oauth2"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

func TestSaveResealRemove(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	store, session := newKey(t), newKey(t)
	s := source(t, f, store)
	s.Recipients = fixed(store.pub, session.pub)
	save(t, s, "AT-1", "RT-1", time.Now().Add(time.Hour))
	wantPrivate(t, s.Path)

	// The session's key opens it...
	r, err := readFile(s.Path, []age.Identity{session.id})
	if err != nil || r.AccessToken != "AT-1" || r.RefreshToken != "RT-1" || r.Binding != s.Binding {
		t.Fatalf("opened with the session key: %+v, %v", r, err)
	}
	// ...until logoff re-seals the file without it.
	if err := Reseal(context.Background(), s.Path, []age.Identity{store.id}, fixed(store.pub)); err != nil {
		t.Fatal(err)
	}
	_, err = readFile(s.Path, []age.Identity{session.id})
	wantCode(t, err, mapi.NoAccess, 77)
	if r := stored(t, s); r.AccessToken != "AT-1" || r.RefreshToken != "RT-1" {
		t.Errorf("resealed file %+v", r)
	}
	wantPrivate(t, s.Path)

	if err := Remove(s.Path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Path); !os.IsNotExist(err) {
		t.Errorf("Remove left the file: %v", err)
	}
	if err := Remove(s.Path); err != nil {
		t.Errorf("Remove of no file: %v", err)
	}
	if err := Reseal(context.Background(), s.Path, []age.Identity{store.id}, fixed(store.pub)); err != nil {
		t.Errorf("Reseal of no file: %v", err)
	}
	err = Save(context.Background(), s.Path, &oauth2.Token{}, s.Binding, "", "", s.Identities, fixed(store.pub))
	wantCode(t, err, mapi.InvalidParameter, 64)
}

func TestFileFormat(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	k := newKey(t)
	s := source(t, f, k)
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	save(t, s, "AT-1", "RT-1", exp)
	ct, err := os.ReadFile(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := secure.Decrypt(ct, []age.Identity{k.id})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(pt, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"version": 1.0, "access_token": "AT-1", "refresh_token": "RT-1", "token_type": "Bearer",
		"expiry": "2030-01-02T03:04:05Z", "binding": s.Binding, "token_url": f.srv.URL + "/token",
		"recipients": []any{k.pub}}
	for key, v := range want {
		if fmt.Sprint(m[key]) != fmt.Sprint(v) {
			t.Errorf("%s = %v, want %v", key, m[key], v)
		}
	}
	for _, key := range []string{"seed", "seeds"} {
		if v, ok := m[key]; ok {
			t.Errorf("%s = %v in a file started from no seed", key, v)
		}
	}

	// An armored file, as a person might write with age -a, is read too.
	arm, err := secure.EncryptArmored(pt, []string{k.pub})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(s.Path, []byte(arm), 0o600)
	if tok, err := s.Token(context.Background()); err != nil || tok != "AT-1" {
		t.Errorf("armored file: %q, %v", tok, err)
	}

	// Not a token file, another version: 65.
	for _, bad := range []string{`{"version":2}`, `not json`} {
		ct, _ := secure.Encrypt([]byte(bad), []string{k.pub})
		os.WriteFile(s.Path, ct, 0o600)
		_, err := s.Token(context.Background())
		wantCode(t, err, mapi.CorruptData, 65)
	}
}

func TestLockWait(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := source(t, f, newKey(t))
	save(t, s, "AT-1", "RT-1", time.Now().Add(-time.Minute))
	fl, err := lock(context.Background(), s.Path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock(fl)
	s.Timeout = 200 * time.Millisecond
	_, err = s.Token(context.Background())
	wantCode(t, err, mapi.Busy, 75)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	s.Timeout = 5 * time.Second
	_, err = s.Token(ctx)
	wantCode(t, err, mapi.UserCancel, 130)
	if _, _, n := f.counts(); n != 0 {
		t.Errorf("%d requests without the lock", n)
	}
}
