package account

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/oauth2"

	"github.com/mapictl/mapictl/internal/oauth"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/session"
)

// Logoff leaves no token file its session's key opens: the file of its
// section is re-sealed without it (opened with its key when at hand, else
// the store's identities), and the file of a section it did not hold was
// never sealed to it. A session still holding the section keeps it. A
// file nobody at hand opens is left as it was, with an error naming it.
func TestLogoffTokensReseal(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	id, _ := age.GenerateX25519Identity()
	ids := []age.Identity{id}
	if err := os.WriteFile(filepath.Join(root, profile.RecipientFile), []byte(id.Recipient().String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	snap, _ := liveSession(t, root, "prof1", now, "sec1")
	peer, _ := liveSession(t, root, "prof1", now, "sec1", "sec2")
	file, otherFile := oauth.Path(root, "prof1", "sec1"), oauth.Path(root, "prof1", "sec2")
	tok := &oauth2.Token{AccessToken: "at", RefreshToken: "rt", Expiry: now.Add(time.Hour)}
	for _, f := range []struct{ path, sec string }{{file, "sec1"}, {otherFile, "sec2"}} {
		rs, err := TokenRecipients(root, "prof1", f.sec, ids, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := oauth.Save(ctx, f.path, tok, "b", "", "", nil, fixedRecipients(rs...)); err != nil {
			t.Fatal(err)
		}
	}
	if !opens(t, file, snap.Key) || opens(t, otherFile, snap.Key) {
		t.Fatal("before logoff: the session's key must open its section's file and only that one")
	}
	if err := session.Logoff(root, snap.ID); err != nil {
		t.Fatal(err)
	}
	lt := LogoffTokens{StoreRoot: root, ProfileUID: "prof1", SectionUIDs: []string{"sec1"}, Session: snap, Now: now}
	if errs := lt.Reseal(ctx); len(errs) != 0 {
		t.Fatalf("reseal with the session key: %v", errs)
	}
	all, _ := filepath.Glob(filepath.Join(filepath.Dir(file), "*.age"))
	if len(all) != 2 {
		t.Fatalf("token files %q", all)
	}
	for _, f := range all {
		if opens(t, f, snap.Key) {
			t.Errorf("after logoff the session's key opens %s", f)
		}
		if !opens(t, f, id) || !opens(t, f, peer.Key) {
			t.Errorf("after logoff %s no longer opens with the store's identity or the other session's key", f)
		}
	}

	// Nobody at hand opens it: left, with an error naming it.
	stranger, _ := age.GenerateX25519Identity()
	if err := oauth.Save(ctx, file, tok, "b", "", "", nil, fixedRecipients(stranger.Recipient().String())); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(file)
	lt.Identities = func() ([]age.Identity, error) { return ids, nil }
	errs := lt.Reseal(ctx)
	if after, _ := os.ReadFile(file); len(errs) != 1 || !strings.Contains(errs[0].Error(), file) || string(after) != string(before) {
		t.Errorf("a file nobody opens: %v", errs)
	}
}
