package account

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/gofrs/flock"
	"golang.org/x/oauth2"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/oauth"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/session"
)

// liveSession creates a session of profile uid puid holding the section
// uids secs, created at created for an hour, and returns its snapshot
// (Key set) and its key's recipient.
func liveSession(t *testing.T, root, puid string, created time.Time, secs ...string) (*session.Snapshot, string) {
	t.Helper()
	var ss []session.SectionSnapshot
	for _, uid := range secs {
		ss = append(ss, session.SectionSnapshot{Settings: session.Settings{SectionUID: uid, Section: "s-" + uid, MultiSession: true}})
	}
	snap := session.NewSnapshot("w", ss, nil, created, time.Hour)
	snap.ProfileUID = puid
	if _, err := session.Create(root, snap, false); err != nil {
		t.Fatal(err)
	}
	rs, err := secure.RecipientsOf([]age.Identity{snap.Key})
	if err != nil || len(rs) != 1 {
		t.Fatalf("session key: %q, %v", rs, err)
	}
	return snap, rs[0]
}

// opens reports whether id decrypts the token file at path.
func opens(t *testing.T, path string, id age.Identity) bool {
	t.Helper()
	ct, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = secure.Decrypt(ct, []age.Identity{id})
	return err == nil
}

// stanzas counts the recipients the age file at path is sealed to (its
// header's "-> " lines).
func stanzas(t *testing.T, path string) int {
	t.Helper()
	ct, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(ct))
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "---") {
		if strings.HasPrefix(sc.Text(), "-> ") {
			n++
		}
	}
	return n
}

// A token file is sealed to identity.pub and the identities in use (else
// the identities' own, else the session's spool recipients without its
// key) and to the live
// sessions that hold its section of its profile: never to a session of
// another section, of another profile with the same section uid (a
// copy), or to an expired one, which the sweep reports.
func TestTokenRecipients(t *testing.T) {
	root := t.TempDir()
	id, _ := age.GenerateX25519Identity()
	pub := id.Recipient().String()
	now := time.Now()
	if rs, err := TokenRecipients(root, "p1", "s1", []age.Identity{id}, nil, now); err != nil || !slices.Equal(rs, []string{pub}) {
		t.Fatalf("no identity.pub, no session: %q, %v", rs, err)
	}
	other, _ := age.GenerateX25519Identity()
	if err := os.WriteFile(filepath.Join(root, profile.RecipientFile), []byte(other.Recipient().String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mine, mineRcpt := liveSession(t, root, "p1", now, "s0", "s1")
	liveSession(t, root, "p1", now, "s2")   // another section
	liveSession(t, root, "copy", now, "s1") // another profile, same section uid
	liveSession(t, root, "", now, "s1")     // no profile uid: an older session
	liveSession(t, root, "p1", now)         // no section
	old, _ := liveSession(t, root, "p1", now.Add(-2*time.Hour), "s1")
	rs, expired, err := tokenRecipients(root, "p1", "s1", []age.Identity{id}, nil, now)
	if err != nil || !slices.Equal(rs, []string{other.Recipient().String(), pub, mineRcpt}) {
		t.Errorf("identity.pub, the identity in use and the sessions of p1/s1: %q, %v; want identity.pub, id and one session", rs, err)
	}
	// An identity in use that age cannot seal to beside identity.pub's
	// (post-quantum beside classic) is left out, not a failure.
	pq, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	if rs, _, err := tokenRecipients(root, "p1", "s1", []age.Identity{pq, id}, nil, now); err != nil ||
		!slices.Equal(rs, []string{other.Recipient().String(), pub, mineRcpt}) {
		t.Errorf("a post-quantum identity in use beside classic identity.pub: %q, %v", rs, err)
	}
	if len(expired) != 1 || expired[0].ID != old.ID || !slices.Equal(expired[0].SectionUIDs, []string{"s1"}) {
		t.Errorf("expired: %+v; want session %s reported", expired, old.ID)
	}
	os.Remove(filepath.Join(root, profile.RecipientFile))
	mine.SpoolRecipients = append([]string{pub}, mine.SpoolRecipients...) // as session logon makes it
	rs, err = TokenRecipients(root, "p1", "s1", nil, mine, now)
	if err != nil || !slices.Equal(rs, []string{pub, mineRcpt}) {
		t.Errorf("under the session, no identity.pub: %q, %v; want its spool recipients and the live session", rs, err)
	}
	if rs, err := TokenRecipients(root, "p1", "s9", nil, mine, now); err != nil || !slices.Equal(rs, []string{pub}) {
		t.Errorf("a section no session holds: %q, %v", rs, err)
	}
}

// Each write of a token file (here a refresh, by the real token supply)
// seals it to the sessions of its own section and profile only; the
// expired session the write's sweep removed is re-sealed out of its
// sections' other token files too, right after (finding 3).
func TestTokenWriteSealsToItsSessions(t *testing.T) {
	ctx := context.Background()
	srv := tokenEndpoint(t)
	id, _ := age.GenerateX25519Identity()
	ids := []age.Identity{id}
	pub := id.Recipient().String()
	p, s := oauthProfile(t, id)
	s.Props[mapi.PrOAuth2TokenURL] = srv.URL + "/token"
	root := t.TempDir()
	r := &Resolver{StoreRoot: root, ProfileName: func() (string, error) { return "w", nil },
		LoadProfile: func(string) (*profile.Profile, error) { return p, nil },
		Identities:  func() ([]age.Identity, error) { return ids, nil }}
	a, err := r.Sending("o2")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	mine, _ := liveSession(t, root, p.UID, now, s.UID)
	otherSec, _ := liveSession(t, root, p.UID, now, "another-section")
	copied, _ := liveSession(t, root, "copied-profile", now, s.UID)
	gone, goneRcpt := liveSession(t, root, p.UID, now.Add(-2*time.Hour), s.UID, "sec2")

	// Both files were sealed to the (now expired) session while it lived.
	file := a.TokenPath(root)
	sec2 := TokenFile(root, p.UID, "sec2")
	stale := &oauth2.Token{AccessToken: "old-at", RefreshToken: "rt", Expiry: now.Add(-time.Hour)}
	for _, f := range []string{file, sec2} {
		if err := oauth.Save(ctx, f, stale, a.TokenBinding(), "", srv.URL+"/token", nil, fixedRecipients(pub, goneRcpt)); err != nil {
			t.Fatal(err)
		}
	}
	c, err := r.Credentials(a)
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := c.OAuth2.Token(ctx); err != nil || tok != "fresh-at" {
		t.Fatalf("Token: %q, %v", tok, err)
	}
	if !opens(t, file, id) || !opens(t, file, mine.Key) {
		t.Error("the refreshed file does not open with the store identity or the section's session")
	}
	for name, k := range map[string]age.Identity{"another section's session": otherSec.Key,
		"a copied profile's session": copied.Key, "the expired session": gone.Key} {
		if opens(t, file, k) {
			t.Errorf("%s opens the token file", name)
		}
	}
	if opens(t, sec2, gone.Key) || !opens(t, sec2, id) {
		t.Error("the expired session's other token file was not re-sealed without it")
	}
}

// ResealExpired re-seals the token files of the sessions a clean-up
// removed (profile and sections as the metadata names them), with the
// store's identities.
func TestResealExpired(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	id, _ := age.GenerateX25519Identity()
	pub := id.Recipient().String()
	now := time.Now()
	gone, goneRcpt := liveSession(t, root, "p1", now.Add(-2*time.Hour), "s1")
	tok := &oauth2.Token{AccessToken: "at", RefreshToken: "rt"}
	mineFile := oauth.Path(root, "p1", "s1")
	if err := oauth.Save(ctx, mineFile, tok, "b", "", "", nil, fixedRecipients(pub, goneRcpt)); err != nil {
		t.Fatal(err)
	}
	_, expired, err := session.Sweep(root, now)
	if err != nil || len(expired) != 1 {
		t.Fatalf("Sweep: %+v, %v", expired, err)
	}
	if errs := ResealExpired(ctx, root, expired, []age.Identity{id}, now); len(errs) != 0 {
		t.Fatal(errs)
	}
	if opens(t, mineFile, gone.Key) || !opens(t, mineFile, id) {
		t.Error("the expired session's key still opens its section's token file")
	}
}

// tokenEndpoint is a provider's token endpoint on loopback that answers
// every refresh with access token fresh-at, valid for an hour.
func tokenEndpoint(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(&countingHandler{})
	t.Cleanup(srv.Close)
	return srv
}

// countingHandler is [tokenEndpoint]'s handler; n counts the requests.
type countingHandler struct{ n atomic.Int32 }

func (h *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.n.Add(1)
	if r.URL.Path != "/token" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"access_token":"fresh-at","token_type":"Bearer","expires_in":3600,"refresh_token":"fresh-rt"}`))
}

// The recipients of a write are those of the moment it is made, under the
// file's lock (finding 6): a refresh that waited for the lock while a
// session was logged off does not seal the file to that session's key.
func TestTokenRecipientsUnderLock(t *testing.T) {
	ctx := context.Background()
	srv := tokenEndpoint(t)
	id, _ := age.GenerateX25519Identity()
	ids := []age.Identity{id}
	p, s := oauthProfile(t, id)
	s.Props[mapi.PrOAuth2TokenURL] = srv.URL + "/token"
	root := t.TempDir()
	r := &Resolver{StoreRoot: root, ProfileName: func() (string, error) { return "w", nil },
		LoadProfile: func(string) (*profile.Profile, error) { return p, nil },
		Identities:  func() ([]age.Identity, error) { return ids, nil }}
	a, err := r.Sending("o2")
	if err != nil {
		t.Fatal(err)
	}
	leaving, leavingRcpt := liveSession(t, root, p.UID, time.Now(), s.UID)
	file := a.TokenPath(root)
	stale := &oauth2.Token{AccessToken: "old-at", RefreshToken: "rt", Expiry: time.Now().Add(-time.Hour)}
	if err := oauth.Save(ctx, file, stale, a.TokenBinding(), "", srv.URL+"/token", nil, fixedRecipients(id.Recipient().String(), leavingRcpt)); err != nil {
		t.Fatal(err)
	}
	c, err := r.Credentials(a)
	if err != nil {
		t.Fatal(err)
	}
	// Another process holds the file's lock (oauth's <name>.lock).
	fl := flock.New(strings.TrimSuffix(file, ".age") + ".lock")
	if err := fl.Lock(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		tok, err := c.OAuth2.Token(ctx)
		if err == nil && tok != "fresh-at" {
			err = fmt.Errorf("token %q", tok)
		}
		done <- err
	}()
	time.Sleep(300 * time.Millisecond) // the refresh is waiting for the lock
	if err := session.Logoff(root, leaving.ID); err != nil {
		t.Fatal(err)
	}
	fl.Unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if opens(t, file, leaving.Key) || !opens(t, file, id) {
		t.Error("a refresh that waited for the lock sealed the file to a session logged off meanwhile")
	}
}

// fixedRecipients is a recipients function (oauth.Save, oauth.Reseal)
// returning rs.
func fixedRecipients(rs ...string) func() ([]string, error) {
	return func() ([]string, error) { return rs, nil }
}

// A sessions directory that cannot be swept (read-only) is read instead:
// the token file's recipients are still the live sessions', and nothing
// fails (a command that only reads a token file heals it from them).
func TestTokenRecipientsReadOnlySessions(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	root := t.TempDir()
	id, _ := age.GenerateX25519Identity()
	now := time.Now()
	_, rcpt := liveSession(t, root, "p1", now, "s1")
	liveSession(t, root, "p1", now.Add(-2*time.Hour), "s1") // expired
	os.Remove(filepath.Join(session.Dir(root), ".lock"))
	if err := os.Chmod(session.Dir(root), 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(session.Dir(root), 0o700) })
	rs, expired, err := tokenRecipients(root, "p1", "s1", []age.Identity{id}, nil, now)
	if err != nil || !slices.Equal(rs, []string{id.Recipient().String(), rcpt}) || len(expired) != 0 {
		t.Fatalf("read-only sessions directory: %q, expired %d, %v; want the identity and the live session", rs, len(expired), err)
	}
}
