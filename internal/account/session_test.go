package account

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/oauth2"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/oauth"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/session"
)

// SessionRecipients: identity.pub when it parses and is not empty, else
// the identities' own recipients.
func TestSessionRecipients(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := age.GenerateX25519Identity()
	ids := []age.Identity{id}
	root := t.TempDir()
	for _, tc := range []struct {
		name, pub string // pub "-": no identity.pub
		want      string
	}{
		{"no identity.pub", "-", id.Recipient().String()},
		{"empty identity.pub", "", id.Recipient().String()},
		{"unreadable identity.pub", "garbage\n", id.Recipient().String()},
		{"identity.pub", other.Recipient().String() + "\n", other.Recipient().String()},
	} {
		pub := filepath.Join(root, profile.RecipientFile)
		os.Remove(pub)
		if tc.pub != "-" {
			if err := os.WriteFile(pub, []byte(tc.pub), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		rs, pq, err := SessionRecipients(root, ids)
		if err != nil || pq || !reflect.DeepEqual(rs, []string{tc.want}) {
			t.Errorf("%s: %q, pq %v, %v; want [%s]", tc.name, rs, pq, err, tc.want)
		}
	}
	pqid, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(root, profile.RecipientFile))
	if rs, pq, err := SessionRecipients(root, []age.Identity{pqid}); err != nil || !pq || len(rs) != 1 {
		t.Errorf("post-quantum identity: %q, pq %v, %v; want pq", rs, pq, err)
	}
}

// CheckSessionProfile: only a -p naming another profile is refused, and
// the error says where the session came from.
func TestCheckSessionProfile(t *testing.T) {
	if err := CheckSessionProfile("", "work", false); err != nil {
		t.Errorf("no -p: %v", err)
	}
	if err := CheckSessionProfile("work", "work", true); err != nil {
		t.Errorf("-p the session's: %v", err)
	}
	for _, fromFile := range []bool{false, true} {
		err := CheckSessionProfile("home", "work", fromFile)
		e := mapi.AsError(err)
		from := map[bool]string{false: "$MAPICTL_SESSION", true: "--session-file"}[fromFile]
		if !mapi.IsCode(err, mapi.InvalidParameter) || !strings.Contains(e.Msg, "(work, from "+from+")") || len(e.Hints) != 2 {
			t.Errorf("fromFile=%v: %v %q", fromFile, err, e.Hints)
		}
	}
}

// answers is a term.Prompter answering from a list, recording the prompts.
type answers struct {
	list  []string
	asked []string
}

func (a *answers) CanPrompt() bool { return true }
func (a *answers) next(p string) (string, error) {
	a.asked = append(a.asked, p)
	if len(a.list) == 0 {
		return "", errors.New("no more answers")
	}
	s := a.list[0]
	a.list = a.list[1:]
	return s, nil
}
func (a *answers) Line(_ context.Context, p string) (string, error) { return a.next(p) }
func (a *answers) Secret(_ context.Context, p string) ([]byte, error) {
	s, err := a.next(p)
	return []byte(s), err
}

// AskCredentials: the username only when none is stored (or after a
// refusal with none stored), a token for xoauth2, an empty answer
// MAPI_E_UNCONFIGURED.
func TestAskCredentials(t *testing.T) {
	refused := errors.New("refused")
	for _, tc := range []struct {
		name    string
		r       PromptRequest
		answers []string
		want    Credentials
		asked   int
		code    mapi.Code
	}{
		{"stored username", PromptRequest{Section: "mx", Username: "u"}, []string{"pw"}, Credentials{Username: "u", Password: "pw"}, 1, mapi.OK},
		{"no username", PromptRequest{Section: "mx"}, []string{"v", "pw"}, Credentials{Username: "v", Password: "pw"}, 2, mapi.OK},
		{"retry, none stored", PromptRequest{Section: "mx", Attempt: 2, Previous: refused}, []string{"w", "pw"}, Credentials{Username: "w", Password: "pw"}, 2, mapi.OK},
		{"xoauth2", PromptRequest{Section: "mx", Auth: "xoauth2", Username: "u"}, []string{"tok"}, Credentials{Username: "u", OAuth2Token: "tok"}, 1, mapi.OK},
		{"empty username", PromptRequest{Section: "mx"}, []string{""}, Credentials{}, 1, mapi.Unconfigured},
		{"empty password", PromptRequest{Section: "mx", Username: "u"}, []string{""}, Credentials{Username: "u"}, 1, mapi.Unconfigured},
	} {
		p := &answers{list: tc.answers}
		c, err := AskCredentials(context.Background(), p, tc.r)
		if tc.code == mapi.OK && err != nil || tc.code != mapi.OK && !mapi.IsCode(err, tc.code) {
			t.Errorf("%s: error %v; want %v", tc.name, err, tc.code.Name)
		}
		if c != tc.want || len(p.asked) != tc.asked {
			t.Errorf("%s: %+v after %q; want %+v after %d prompts", tc.name, c, p.asked, tc.want, tc.asked)
		}
	}
	p := &answers{list: []string{"tok"}}
	AskCredentials(context.Background(), p, PromptRequest{Section: "mx", Auth: "xoauth2", Username: "u"})
	if p.asked[0] != `OAuth2 token for section "mx":` {
		t.Errorf("prompt %q", p.asked[0])
	}
}

// StartSession: a TTL that is not positive is refused before any logon; an
// offline logon creates a session that opens with its token, and sweeps
// the expired sessions, re-sealing their token files without their keys.
func TestStartSession(t *testing.T) {
	p := profile.New("work", nil)
	s, err := p.AddSection("mx", profile.KindTransport, "smtp")
	if err != nil {
		t.Fatal(err)
	}
	s.Props[mapi.PrEmailAddress] = "me@example.com"
	s.Props[mapi.PrSMTPAuth] = "none"
	id, _ := age.GenerateX25519Identity()
	root := t.TempDir()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	o := SessionOptions{LogonOptions: LogonOptions{Profile: p, IDs: []age.Identity{id}, StoreRoot: root, Offline: true},
		Store: &profile.Store{Root: root}, Now: now}
	if _, _, _, err := StartSession(context.Background(), o); !mapi.IsCode(err, mapi.InvalidParameter) {
		t.Fatalf("TTL 0: %v; want MAPI_E_INVALID_PARAMETER", err)
	}
	o.TTL = time.Hour
	// An expired session of the profile, whose token file the logon's
	// clean-up re-seals without its key.
	gone, goneRcpt := liveSession(t, root, p.UID, now.Add(-2*time.Hour), "sec2")
	file := TokenFile(root, p.UID, "sec2")
	if err := oauth.Save(context.Background(), file, &oauth2.Token{AccessToken: "at"}, "b", "", "", nil, fixedRecipients(id.Recipient().String(), goneRcpt)); err != nil {
		t.Fatal(err)
	}
	res, snap, tok, err := StartSession(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if opens(t, file, gone.Key) || !opens(t, file, id) {
		t.Error("the logon's clean-up left an expired session's key in its token file")
	}
	if len(res.Sections) != 1 || snap.Profile != "work" || !snap.Expires.Equal(now.Add(time.Hour)) {
		t.Errorf("result %+v, snapshot %+v", res, snap)
	}
	got, err := session.Open(root, tok, now.Add(time.Minute))
	if err != nil || got.ID != snap.ID || !slices.Contains(got.SpoolRecipients, id.Recipient().String()) {
		t.Errorf("open: %+v, %v", got, err)
	}
}

// A logon whose re-seal of a token file fails changes no file (SPEC §9):
// the session is logged off again and the token file it had already
// re-sealed to its key is re-sealed back without it.
func TestStartSessionResealFailure(t *testing.T) {
	ctx := context.Background()
	id, _ := age.GenerateX25519Identity()
	ids := []age.Identity{id}
	p, first := oauthProfile(t, id)
	second, err := p.AddSection("o3", profile.KindTransport, "smtp")
	if err != nil {
		t.Fatal(err)
	}
	for tag, v := range first.Props {
		if _, set := second.Props[tag]; !set {
			second.Props[tag] = v
		}
	}
	first.Props[mapi.PrProviderOrdinal], second.Props[mapi.PrProviderOrdinal] = int32(1), int32(2)
	root := t.TempDir()
	now := time.Now()
	good, bad := TokenFile(root, p.UID, first.UID), TokenFile(root, p.UID, second.UID)
	tok := &oauth2.Token{AccessToken: "at", RefreshToken: "rt", Expiry: now.Add(time.Hour)}
	stranger, _ := age.GenerateX25519Identity()
	if err := oauth.Save(ctx, good, tok, "b", "", "", nil, fixedRecipients(id.Recipient().String())); err != nil {
		t.Fatal(err)
	}
	if err := oauth.Save(ctx, bad, tok, "b", "", "", nil, fixedRecipients(stranger.Recipient().String())); err != nil {
		t.Fatal(err)
	}
	o := SessionOptions{LogonOptions: LogonOptions{Profile: p, IDs: ids, StoreRoot: root, Offline: true, Strict: true},
		Store: &profile.Store{Root: root}, Now: now, TTL: time.Hour}
	res, snap, _, err := StartSession(ctx, o)
	if !mapi.IsCode(err, mapi.NoAccess) || !strings.Contains(err.Error(), bad) || snap != nil {
		t.Fatalf("StartSession: %v; want MAPI_E_NO_ACCESS naming %s", err, bad)
	}
	if res == nil || len(res.Sections) != 2 || res.Sections[0].Settings.SectionUID != first.UID {
		t.Fatalf("logged on %+v; want both sections, %s first", res, first.Name)
	}
	if ms, err := session.List(root, now); err != nil || len(ms) != 0 {
		t.Errorf("sessions left: %+v, %v", ms, err)
	}
	if n := stanzas(t, good); n != 1 || !opens(t, good, id) {
		t.Errorf("the re-sealed token file is sealed to %d recipients; want the store's identity alone", n)
	}
}
