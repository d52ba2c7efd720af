package profile

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestBindsFollowSecuritySettings(t *testing.T) {
	p := New("w", []string{"age1x"})
	s, _ := p.AddSection("s", KindTransport, "smtp")
	base := s.Binds()
	for _, c := range []struct {
		tag     mapi.Tag
		v       any
		changes bool
	}{
		{mapi.PrSMTPHost, "evil.example", true},
		{mapi.PrSMTPPort, int32(2525), true},
		{mapi.PrEmailAddress, "x@example.com", true},
		{mapi.PrSMTPSecurity, "none", true},
		{mapi.PrDisplayName, "Someone", false},
		{mapi.PrSMTPHelo, "helo.example", false},
	} {
		old, had := s.Props[c.tag]
		s.Props[c.tag] = c.v
		if (s.Binds() != base) != c.changes {
			t.Errorf("%s: binds changed = %v, want %v", c.tag, s.Binds() != base, c.changes)
		}
		if had {
			s.Props[c.tag] = old
		} else {
			delete(s.Props, c.tag)
		}
	}
}

func TestSecureRangeBindsAndRecipients(t *testing.T) {
	holder, outsider := testKey(t), testKey(t)
	ids := []age.Identity{holder}
	p := New("w", []string{holder.Recipient().String()})
	s, _ := p.AddSection("s", KindTransport, "smtp")
	s.Props[mapi.PrSMTPHost] = "mail.example.com"
	pw := map[mapi.Tag]any{mapi.PrPassword: "hunter2"}
	if err := p.WriteSecure(s, ids, pw); err != nil {
		t.Fatal(err)
	}
	if c, err := s.ReadSecure(ids); err != nil || c.Props[mapi.PrPassword] != "hunter2" {
		t.Fatalf("ReadSecure = %v, %v", c, err)
	}
	if _, err := s.ReadSecure([]age.Identity{outsider}); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("outsider: %v, want MAPI_E_NO_ACCESS", err)
	}

	// a host rewritten without the range: refused, and the secret is not in the error
	s.Props[mapi.PrSMTPHost] = "evil.example.net"
	_, err := s.ReadSecure(ids)
	if !mapi.IsCode(err, mapi.NoAccess) || strings.Contains(fmt.Sprint(err), "hunter2") {
		t.Fatalf("after host change: %v, want MAPI_E_NO_ACCESS", err)
	}
	// without rebind, Reseal refuses the same way; with it, an owner confirms the host
	if err := p.Reseal(s, ids, false); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("Reseal without rebind after host change: %v, want MAPI_E_NO_ACCESS", err)
	}
	if err := p.Reseal(s, ids, true); err != nil {
		t.Fatal(err)
	}
	if c, err := s.ReadSecure(ids); err != nil || c.Props[mapi.PrPassword] != "hunter2" {
		t.Fatalf("after Reseal with rebind: %v, %v", c, err)
	}

	// someone adds a recipient to the outer copy only: a rewrite must not honour it
	s.Secure.Recipients = append(s.Secure.Recipients, outsider.Recipient().String())
	if err := p.WriteSecure(s, ids, map[mapi.Tag]any{mapi.PrPassword: "new"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenSecure([]age.Identity{outsider}); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("outsider opened the rewritten range: %v", err)
	}
	if got := s.Secure.Recipients; len(got) != 1 || got[0] != holder.Recipient().String() {
		t.Errorf("recipients after rewrite = %v", got)
	}
}

// TestStoreKeepsUnknownFields: unknown members of the document, of a
// section, of a secure blob and of the signing block survive an owner's
// signed rewrites, and the rewritten document still verifies.
func TestStoreKeepsUnknownFields(t *testing.T) {
	id := testKey(t)
	st := &Store{Root: t.TempDir()}
	doc := `{"format":"mapictl.profile/1","name":"w","uid":"0123456789abcdef0123456789abcdef",` +
		`"owners":["` + id.Recipient().String() + `"],` +
		`"recipients":["` + id.Recipient().String() + `"],"future":{"a":[1,2]},` +
		`"sections":[{"name":"global","uid":"0123456789abcdef0123456789abcdee","kind":"global","props":{},"later":"x"}]}`
	p, err := Unmarshal([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Create(p); err != nil {
		t.Fatal(err)
	}
	ids := []age.Identity{id}
	if _, err := st.Update("w", ids, func(p *Profile) error {
		s, err := p.AddSection("s", KindTransport, "smtp")
		if err != nil {
			return err
		}
		s.Props[mapi.PrSMTPHost] = "h"
		return p.WriteSecure(s, ids, map[mapi.Tag]any{mapi.PrPassword: "pw"})
	}); err != nil {
		t.Fatal(err)
	}
	// add unknown fields inside the secure object and the signing block, as
	// a later version would write them
	if _, err := st.Update("w", ids, func(p *Profile) error {
		p.Sections[1].Secure.extra = map[string]rawJSON{"sealed_by": rawJSON(`"v9"`)}
		p.Signing.extra = map[string]rawJSON{"algo": rawJSON(`"ed25519"`)}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Update("w", ids, func(p *Profile) error { p.Sections[1].Props[mapi.PrSMTPHelo] = "x"; return nil }); err != nil {
		t.Fatal(err)
	}
	q, err := st.Load("w", ids)
	if err != nil {
		t.Fatalf("the rewritten document does not verify: %v", err)
	}
	if q.Version != 4 {
		t.Errorf("version %d after create and three writes, want 4", q.Version)
	}
	ct, _ := os.ReadFile(st.Path("w"))
	r, err := age.Decrypt(bytes.NewReader(ct), id)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(r)
	for _, want := range []string{`"future":{"a":[1,2]}`, `"later":"x"`, `"sealed_by":"v9"`, `"algo":"ed25519"`} {
		if !bytes.Contains(plain, []byte(want)) {
			t.Errorf("lost %s:\n%s", want, plain)
		}
	}
}

// TestLockHelperProcess is the child of TestLockAcrossProcesses: it holds
// the profile lock until its stdin closes.
func TestLockHelperProcess(t *testing.T) {
	root := os.Getenv("PROFILE_TEST_LOCK_ROOT")
	if root == "" {
		t.Skip("helper process only")
	}
	unlock, err := (&Store{Root: root}).Lock("w")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("locked")
	_, _ = io.ReadAll(os.Stdin)
	unlock()
}

func TestLockAcrossProcesses(t *testing.T) {
	id := testKey(t)
	st := &Store{Root: t.TempDir(), LockTimeout: 200 * time.Millisecond}
	if err := st.Create(New("w", []string{id.Recipient().String()})); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$")
	cmd.Env = append(os.Environ(), "PROFILE_TEST_LOCK_ROOT="+st.Root)
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := io.ReadFull(out, buf); err != nil || string(buf) != "locked" {
		t.Fatalf("child: %q %v", buf, err)
	}
	before, _ := os.ReadFile(st.Path("w"))
	_, err := st.Update("w", []age.Identity{id}, func(p *Profile) error {
		_, err := p.AddSection("s", KindService, "")
		return err
	})
	if !mapi.IsCode(err, mapi.Busy) {
		t.Errorf("Update under a foreign lock: %v, want MAPI_E_BUSY", err)
	}
	after, _ := os.ReadFile(st.Path("w"))
	if !bytes.Equal(before, after) {
		t.Error("file changed although the update failed")
	}
	stdin.Close()
	go io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	st.LockTimeout = 5 * time.Second
	if _, err := st.Update("w", []age.Identity{id}, func(p *Profile) error { return nil }); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	id := testKey(t)
	st := &Store{Root: t.TempDir(), LockTimeout: 30 * time.Second}
	if err := st.Create(New("w", []string{id.Recipient().String()})); err != nil {
		t.Fatal(err)
	}
	const n = 12
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.Update("w", []age.Identity{id}, func(p *Profile) error {
				_, err := p.AddSection(fmt.Sprintf("s%d", i), KindService, "")
				return err
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	p, err := st.Load("w", []age.Identity{id})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Sections) != n+1 {
		t.Fatalf("%d sections, want %d", len(p.Sections), n+1)
	}
}
