package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

// TestForgedStepsProperty runs random sequences of an owner's changes
// (share, unshare, new sections with credentials, re-created ranges, a
// bound setting changed, owners added and removed, rekey) through a real
// store, interleaved with a reader's forged rewrites of the outer layer
// (made as an attacker would, with age and a JSON edit, never signed).
// After every step the sections each key can open are exactly those a
// model of explicit grants says; a forged step leaves the owner's commands
// refusing (MAPI_E_NO_ACCESS) and changes nothing they would act on: once
// the owner puts its file back, everything is as the model says.
func TestForgedStepsProperty(t *testing.T) {
	seeds := 6
	if testing.Short() {
		seeds = 2
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { forgedRun(t, uint64(seed)) })
	}
}

type fpKey struct {
	id  *age.X25519Identity
	rec string
}

func forgedRun(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 23))
	st := &profile.Store{Root: t.TempDir()}
	var keys []fpKey
	for range 4 {
		id, r := newKey(t)
		keys = append(keys, fpKey{id, r})
	}
	owner := []age.Identity{keys[0].id}
	owners := map[string]bool{keys[0].rec: true} // model
	readers := map[string]map[string]bool{}      // section -> readers (model)
	ranged := map[string]bool{}                  // sections with credentials (model)
	if err := st.Create(profile.New("team", []string{keys[0].rec})); err != nil {
		t.Fatal(err)
	}
	update := func(what string, fn func(p *profile.Profile) error) {
		t.Helper()
		if _, err := st.Update("team", owner, fn); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	names := []string{"a", "b", "c"}
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	nonOwner := func() fpKey { return keys[1+rng.IntN(len(keys)-1)] }
	var log []string
	for step := range 40 {
		switch op := rng.IntN(8); op {
		case 0: // a section with credentials (re-created when it exists)
			n := pick(names)
			log = append(log, "creds "+n)
			update(log[len(log)-1], func(p *profile.Profile) error {
				s, err := p.Section(n)
				if err != nil {
					if s, err = p.AddSection(n, "transport", "smtp"); err != nil {
						return err
					}
				}
				s.Secure = nil
				return p.WriteSecure(s, owner, map[mapi.Tag]any{mapi.PrPassword: fmt.Sprint("pw-", n, step)})
			})
			ranged[n] = true
			if readers[n] == nil {
				readers[n] = map[string]bool{}
			}
		case 1, 2: // share or unshare an existing section
			n, k := pick(names), nonOwner()
			if readers[n] == nil {
				continue
			}
			share := op == 1
			log = append(log, fmt.Sprintf("share=%v %s %s", share, n, k.rec[:12]))
			update(log[len(log)-1], func(p *profile.Profile) error {
				s, err := p.Section(n)
				if err != nil {
					return err
				}
				if share {
					_, err = Share(p, s, owner, k.rec)
				} else {
					_, err = Unshare(p, s, owner, k.rec)
				}
				return err
			})
			if !owners[k.rec] {
				readers[n][k.rec] = share
			}
		case 3: // an owner changes a bound setting and re-binds
			n := pick(names)
			if !ranged[n] {
				continue
			}
			log = append(log, "host "+n)
			update(log[len(log)-1], func(p *profile.Profile) error {
				s, _ := p.Section(n)
				if err := s.SetProp(mapi.PrSMTPHost, fmt.Sprintf("h%d.example", step)); err != nil {
					return err
				}
				return p.Reseal(s, owner, true)
			})
		case 4: // owners add or remove (never the first)
			k := nonOwner()
			add := !owners[k.rec]
			log = append(log, fmt.Sprintf("owner add=%v %s", add, k.rec[:12]))
			update(log[len(log)-1], func(p *profile.Profile) error {
				if add {
					_, err := AddOwner(p, owner, k.rec)
					return err
				}
				_, _, err := RemoveOwner(p, owner, k.rec)
				return err
			})
			owners[k.rec] = add
			for _, rs := range readers {
				delete(rs, k.rec) // an owner is no reader; a removed owner leaves every section
			}
		case 5:
			log = append(log, "rekey")
			update("rekey", func(p *profile.Profile) error { _, err := Rekey(p, owner); return err })
		default: // a reader's forgery, then the owner restores its file
			forger := nonOwner()
			path := st.Path("team")
			saved, _ := os.ReadFile(path)
			if !fpForge(t, path, forger.id, rng) {
				continue // this key reads nothing: it cannot even decrypt the file
			}
			log = append(log, "forged by "+forger.rec[:12])
			if _, err := st.Load("team", owner); !mapi.IsCode(err, mapi.NoAccess) || !strings.Contains(err.Error(), "unconfirmed") {
				t.Fatalf("%v: owner's load of a forged file: %v", log, err)
			}
			if _, err := st.Update("team", owner, func(*profile.Profile) error { return nil }); !mapi.IsCode(err, mapi.NoAccess) {
				t.Fatalf("%v: owner's write over a forged file: %v", log, err)
			}
			if err := os.WriteFile(path, saved, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		fpCheck(t, st, keys, owners, readers, ranged, log)
	}
}

// fpForge rewrites the outer layer as forger can: one random edit (make
// itself an owner or a reader of every section, move a host, drop the
// signature, or bump the version), re-encrypted to the listed recipients.
// False when forger cannot open the file.
func fpForge(t *testing.T, path string, forger age.Identity, rng *rand.Rand) bool {
	t.Helper()
	ct, _ := os.ReadFile(path)
	r, err := age.Decrypt(bytes.NewReader(ct), forger)
	if err != nil {
		return false
	}
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	me := forger.(*age.X25519Identity).Recipient().String()
	switch rng.IntN(4) {
	case 0:
		doc["owners"] = append(doc["owners"].([]any), me)
	case 1:
		for _, s := range doc["sections"].([]any) {
			s.(map[string]any)["readers"] = []any{me}
		}
	case 2:
		for _, s := range doc["sections"].([]any) {
			if props, ok := s.(map[string]any)["props"].(map[string]any); ok {
				props["0x6601001F"] = "evil.example"
			}
		}
	default:
		delete(doc, "signature")
	}
	v, _ := doc["version"].(json.Number).Int64()
	doc["version"] = v + 1
	plain, _ := json.Marshal(doc)
	var recips []age.Recipient
	for _, s := range doc["recipients"].([]any) {
		rs, err := age.ParseRecipients(strings.NewReader(s.(string)))
		if err != nil {
			t.Fatal(err)
		}
		recips = append(recips, rs...)
	}
	var out bytes.Buffer
	w, _ := age.Encrypt(&out, recips...)
	w.Write(plain)
	w.Close()
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return true
}

// fpCheck: the owner's verified load opens; each key opens a section's
// credentials exactly when the model makes it an owner or that section's
// reader.
func fpCheck(t *testing.T, st *profile.Store, keys []fpKey, owners map[string]bool, readers map[string]map[string]bool, ranged map[string]bool, log []string) {
	t.Helper()
	p, err := st.Load("team", []age.Identity{keys[0].id})
	if err != nil {
		t.Fatalf("%v: owner's load: %v", log, err)
	}
	for n := range ranged {
		s, err := p.Section(n)
		if err != nil {
			t.Fatalf("%v: %v", log, err)
		}
		for _, k := range keys {
			want := owners[k.rec] || readers[n][k.rec]
			_, err := s.OpenSecure([]age.Identity{k.id})
			if got := err == nil; got != want {
				t.Fatalf("%v: key %s opens section %s: %v, want %v (err %v; sealed to %v)", log, k.rec[:12], n, got, want, err, s.Secure.Recipients)
			}
		}
		var want []string
		for r, ok := range readers[n] {
			if ok {
				want = append(want, r)
			}
		}
		got := slices.Clone(s.Readers)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("%v: section %s readers %v, want %v", log, n, got, want)
		}
	}
}
