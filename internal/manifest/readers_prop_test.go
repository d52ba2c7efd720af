package manifest

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

// readModel is who may read what: the owners, and each section's readers
// (by section name). A key opens a section's range iff it is an owner or
// one of that section's readers.
type readModel struct {
	owners  []string
	readers map[string][]string
}

func (m *readModel) addOwner(r string) {
	if !slices.Contains(m.owners, r) {
		m.owners = append(m.owners, r)
	}
	for n := range m.readers {
		m.unshare(n, r)
	}
}

func (m *readModel) removeOwner(r string) {
	m.owners = slices.DeleteFunc(m.owners, func(x string) bool { return x == r })
	for n := range m.readers {
		m.unshare(n, r)
	}
}

func (m *readModel) share(sec, r string) {
	if !slices.Contains(m.owners, r) && !slices.Contains(m.readers[sec], r) {
		m.readers[sec] = append(m.readers[sec], r)
	}
}

func (m *readModel) unshare(sec, r string) {
	m.readers[sec] = slices.DeleteFunc(m.readers[sec], func(x string) bool { return x == r })
}

// TestReadersProperty runs random sequences of every operation that
// changes who reads what or writes a range, and after each step checks
// every key against every range: it opens iff the model says it may.
// (A reader forging Owners or Readers in the document without these
// functions is out of scope: the store's signature refuses that, and is
// tested with the store.)
func TestReadersProperty(t *testing.T) {
	const steps = 200
	seeds := []int64{1, 2}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			runReadersProperty(t, seed, steps)
		})
	}
}

func runReadersProperty(t *testing.T, seed int64, steps int) {
	rng := rand.New(rand.NewSource(seed))
	keys := make([]keyring, 4)
	byR := map[string]keyring{}
	for i := range keys {
		keys[i] = newKeyring(t)
		byR[keys[i].r] = keys[i]
	}
	randKey := func() keyring { return keys[rng.Intn(len(keys))] }
	subset := func() []string {
		var out []string
		for _, k := range keys {
			if rng.Intn(3) == 0 {
				out = append(out, k.r)
			}
		}
		return out
	}
	p := profile.New("prop", []string{keys[0].r})
	m := &readModel{owners: []string{keys[0].r}, readers: map[string][]string{}}
	next := 0
	sections := func() []*profile.Section {
		var out []*profile.Section
		for _, s := range p.Sections {
			if s.Kind != profile.KindGlobal {
				out = append(out, s)
			}
		}
		return out
	}
	randSection := func() *profile.Section {
		ss := sections()
		if len(ss) == 0 {
			return nil
		}
		return ss[rng.Intn(len(ss))]
	}
	var trace []string
	opened := map[string]bool{} // whether a key opens a sealed range, by key and range
	var seen checkStats
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d, after %s: %s", seed, strings.Join(trace, "; "), fmt.Sprintf(format, args...))
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			fail("%v", err)
		}
	}
	// manifestYAML renders a manifest of p's name; creds names the
	// sections given a password from {env: PW}.
	type msec struct {
		name    string
		readers []string
		creds   bool
	}
	manifestYAML := func(owners []string, secs []msec) string {
		var b strings.Builder
		fmt.Fprintf(&b, "profile: prop\n")
		if len(owners) > 0 {
			fmt.Fprintf(&b, "owners: [%s]\n", strings.Join(owners, ", "))
		}
		if len(secs) > 0 {
			b.WriteString("sections:\n")
		}
		for _, s := range secs {
			fmt.Fprintf(&b, "  - name: %s\n", s.name)
			if len(s.readers) > 0 {
				fmt.Fprintf(&b, "    readers: [%s]\n", strings.Join(s.readers, ", "))
			}
			if s.creds {
				b.WriteString("    credentials:\n      password: {env: PW}\n")
			}
		}
		return b.String()
	}
	resolve := func(man *Manifest) Secrets {
		sec, err := (&Resolver{Dir: t.TempDir(), Getenv: env(map[string]string{"PW": fmt.Sprint("pw", rng.Int())})}).ResolveAll(man)
		must(err)
		return sec
	}

	for step := 0; step < steps; step++ {
		actor := byR[m.owners[rng.Intn(len(m.owners))]]
		ids := actor.ids()
		switch op := rng.Intn(10); op {
		case 0, 1: // share
			s, k := randSection(), randKey()
			if s == nil {
				continue
			}
			trace = append(trace, fmt.Sprintf("share %s with k%d", s.Name, slices.Index(keys, k)))
			_, err := Share(p, s, ids, k.r)
			must(err)
			m.share(s.Name, k.r)
		case 2: // unshare
			s, k := randSection(), randKey()
			if s == nil {
				continue
			}
			trace = append(trace, fmt.Sprintf("unshare %s from k%d", s.Name, slices.Index(keys, k)))
			_, err := Unshare(p, s, ids, k.r)
			must(err)
			m.unshare(s.Name, k.r)
		case 3: // new section with credentials
			if len(sections()) >= 5 {
				continue
			}
			next++
			name := fmt.Sprintf("s%d", next)
			trace = append(trace, "create "+name)
			s, err := p.AddSection(name, profile.KindTransport, "smtp")
			must(err)
			must(p.WriteSecure(s, ids, map[mapi.Tag]any{mapi.PrPassword: "pw-" + name}))
			m.readers[name] = nil
		case 4: // change a bound setting, then an owner confirms it
			s := randSection()
			if s == nil {
				continue
			}
			trace = append(trace, "rebind "+s.Name)
			must(s.SetProp(mapi.PrSMTPHost, fmt.Sprintf("h%d.example", rng.Intn(1000))))
			must(p.Reseal(s, ids, true))
		case 5: // apply a small manifest
			prune := rng.Intn(2) == 0
			owners := subset()
			var secs []msec
			for _, s := range sections() {
				if prune || rng.Intn(2) == 0 {
					secs = append(secs, msec{name: s.Name, readers: subset(), creds: rng.Intn(3) == 0})
				}
			}
			if prune && len(secs) > 0 && rng.Intn(3) == 0 {
				secs = slices.Delete(secs, 0, 1) // pruned away
			}
			if rng.Intn(2) == 0 && len(sections()) < 5 {
				next++
				secs = append(secs, msec{name: fmt.Sprintf("s%d", next), readers: subset(), creds: rng.Intn(2) == 0})
			}
			trace = append(trace, fmt.Sprintf("apply prune=%v owners=%d sections=%d", prune, len(owners), len(secs)))
			man := mustLoad(t, manifestYAML(owners, secs), LoadOptions{})
			_, err := Apply(p, man, resolve(man), ApplyOptions{IDs: ids, Self: []string{actor.r}, Prune: prune})
			must(err)
			for _, r := range owners {
				m.addOwner(r)
			}
			if prune && len(owners) > 0 {
				for _, r := range slices.Clone(m.owners) {
					if !slices.Contains(owners, r) && r != actor.r {
						m.removeOwner(r)
					}
				}
			}
			for _, ms := range secs {
				if _, ok := m.readers[ms.name]; !ok {
					m.readers[ms.name] = nil
				}
				for _, r := range ms.readers {
					m.share(ms.name, r)
				}
				if prune {
					for _, r := range slices.Clone(m.readers[ms.name]) {
						if !slices.Contains(ms.readers, r) {
							m.unshare(ms.name, r)
						}
					}
				}
			}
			if prune {
				for n := range m.readers {
					if !slices.ContainsFunc(secs, func(ms msec) bool { return ms.name == n }) {
						delete(m.readers, n)
					}
				}
			}
		case 6: // export, then apply into a fresh profile owned by some key
			n := randKey()
			trace = append(trace, fmt.Sprintf("export into a fresh profile of k%d", slices.Index(keys, n)))
			ex, err := Export(p, ExportOptions{IDs: ids, Secure: true})
			must(err)
			doc, err := ex.EncodeYAML()
			must(err)
			man := mustLoad(t, string(doc), LoadOptions{AllowValues: true})
			fresh := profile.New("prop", []string{n.r})
			_, err = Apply(fresh, man, resolve(man), ApplyOptions{IDs: n.ids(), Self: []string{n.r}})
			must(err)
			p = fresh
			old := m.owners
			m.owners = []string{n.r}
			for _, r := range old {
				m.addOwner(r)
			}
			for sec, rs := range m.readers {
				m.readers[sec] = nil
				for _, r := range rs {
					m.share(sec, r)
				}
			}
		case 7: // add an owner
			k := randKey()
			trace = append(trace, fmt.Sprintf("add owner k%d", slices.Index(keys, k)))
			_, err := AddOwner(p, ids, k.r)
			must(err)
			m.addOwner(k.r)
		case 8: // remove an owner (never the last)
			k := randKey()
			if len(m.owners) == 1 && m.owners[0] == k.r {
				continue
			}
			trace = append(trace, fmt.Sprintf("remove owner k%d", slices.Index(keys, k)))
			_, _, err := RemoveOwner(p, ids, k.r)
			must(err)
			m.removeOwner(k.r)
		case 9: // rekey
			trace = append(trace, "rekey")
			_, err := Rekey(p, ids)
			must(err)
		}
		// Every command saves; the loaded profile has derived recipients.
		deriveRecipients(p)
		checkModel(t, p, m, keys, opened, &seen, fail)
	}
	// The run is worth something only if it saw keys that read a range
	// as a reader, and keys refused.
	if seen.asReader == 0 || seen.refused == 0 {
		t.Fatalf("seed %d: %d opens as a reader, %d refusals", seed, seen.asReader, seen.refused)
	}
}

type checkStats struct{ asReader, refused int }

// checkModel checks p against m. opened caches whether a key opens a
// range (the same ciphertext opens for the same keys: only ranges that
// changed are opened again).
func checkModel(t *testing.T, p *profile.Profile, m *readModel, keys []keyring, opened map[string]bool, stats *checkStats, fail func(string, ...any)) {
	t.Helper()
	if !sameSet(p.Owners, m.owners) {
		fail("owners %v, model %v", p.Owners, m.owners)
	}
	names := map[string]bool{}
	for _, s := range p.Sections {
		if s.Kind == profile.KindGlobal {
			continue
		}
		names[s.Name] = true
		want, ok := m.readers[s.Name]
		if !ok {
			fail("section %s not in the model", s.Name)
		}
		if !sameSet(s.Readers, want) {
			fail("%s readers %v, model %v", s.Name, s.Readers, want)
		}
		if s.Secure == nil {
			continue
		}
		for i, k := range keys {
			may := slices.Contains(m.owners, k.r) || slices.Contains(want, k.r)
			ck := k.r + "\x00" + s.Secure.Age()
			ok, seen := opened[ck]
			if !seen {
				_, err := s.OpenSecure([]age.Identity{k.id})
				if err != nil && !mapi.IsCode(err, mapi.NoAccess) {
					fail("k%d opens %s: %v", i, s.Name, err)
				}
				ok = err == nil
				opened[ck] = ok
			}
			if ok != may {
				fail("k%d opens %s: %v, model says %v", i, s.Name, ok, may)
			}
			switch {
			case !ok:
				stats.refused++
			case !slices.Contains(m.owners, k.r):
				stats.asReader++
			}
		}
	}
	for n := range m.readers {
		if !names[n] {
			fail("model section %s not in the profile", n)
		}
	}
}
