package profile

import (
	"fmt"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// benchProfile builds a profile of n transport sections, each with its own
// secure range (username and password) sealed to one fresh X25519 key.
func benchProfile(b *testing.B, n int) (*Profile, []age.Identity) {
	b.Helper()
	k, err := secure.GenerateKey(false)
	if err != nil {
		b.Fatal(err)
	}
	id, err := secure.IdentityFromKey(k.Identity)
	if err != nil {
		b.Fatal(err)
	}
	ids := []age.Identity{id}
	p := New("bench", []string{k.Recipient})
	for i := range n {
		s, err := p.AddSection(fmt.Sprintf("smtp%d", i), KindTransport, "smtp")
		if err != nil {
			b.Fatal(err)
		}
		if err := s.SetProp(mapi.PrEmailAddress, fmt.Sprintf("user%d@example.com", i)); err != nil {
			b.Fatal(err)
		}
		creds := map[mapi.Tag]any{mapi.PrUsername: fmt.Sprintf("user%d", i), mapi.PrPassword: "s3cret"}
		if err := p.WriteSecure(s, ids, creds); err != nil {
			b.Fatal(err)
		}
	}
	return p, ids
}

var benchSizes = []int{1, 100, 1000}

// BenchmarkUnmarshal decodes the plaintext JSON of a profile of 1, 100 and
// 1000 sections (no decryption).
func BenchmarkUnmarshal(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sections=%d", n), func(b *testing.B) {
			p, _ := benchProfile(b, n)
			data, err := Marshal(p)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Unmarshal(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadAndReadOne is what `credential get` did before issue 6:
// decrypt the profile file, decode all of it, and open the secure range of
// the last section only.
func BenchmarkLoadAndReadOne(b *testing.B) {
	benchReadOne(b, func(st *Store, name string, ids []age.Identity) (*Section, error) {
		q, err := st.Load("bench", ids)
		if err != nil {
			return nil, err
		}
		return q.Section(name)
	})
}

// BenchmarkLoadSection is what `credential get` does since issue 6: decrypt
// the profile file, check the document, decode only the named section, and
// open its secure range.
func BenchmarkLoadSection(b *testing.B) {
	benchReadOne(b, func(st *Store, name string, ids []age.Identity) (*Section, error) {
		return st.LoadSection("bench", name, ids)
	})
}

// benchReadOne stores a profile of each of benchSizes and times reading the
// password of its last section, the section found by load.
func benchReadOne(b *testing.B, load func(st *Store, name string, ids []age.Identity) (*Section, error)) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sections=%d", n), func(b *testing.B) {
			p, ids := benchProfile(b, n)
			st := &Store{Root: b.TempDir()}
			if err := st.Init(); err != nil {
				b.Fatal(err)
			}
			if err := st.Create(p); err != nil {
				b.Fatal(err)
			}
			name := fmt.Sprintf("smtp%d", n-1)
			b.ReportAllocs()
			for b.Loop() {
				s, err := load(st, name, ids)
				if err != nil {
					b.Fatal(err)
				}
				c, err := s.ReadSecure(ids)
				if err != nil {
					b.Fatal(err)
				}
				if c.Props[mapi.PrPassword] != "s3cret" {
					b.Fatalf("password = %v", c.Props[mapi.PrPassword])
				}
			}
		})
	}
}

// BenchmarkUnmarshalSection decodes one section of a 1000-section document
// (no decryption) by skim (the fast path) and by jsontext (its fallback).
func BenchmarkUnmarshalSection(b *testing.B) {
	p, _ := benchProfile(b, 1000)
	data, err := Marshal(p)
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range []struct {
		name string
		skim bool
	}{{"skim", true}, {"jsontext", false}} {
		b.Run(path.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				var q *Profile
				ok := false
				if path.skim {
					if q, ok = skimDocument(data, nil, "smtp999"); !ok {
						b.Fatal("skim declined")
					}
				}
				if _, _, err := sectionOf(q, ok, data, "smtp999"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
