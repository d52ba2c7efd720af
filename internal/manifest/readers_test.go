package manifest

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/prf"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

// deriveRecipients sets p's outer recipients as a save does (owners, then
// each section's readers): a profile loaded from a store has them, and a
// range must never be sealed to them.
func deriveRecipients(p *profile.Profile) {
	out := slices.Clone(p.Owners)
	for _, s := range p.Sections {
		for _, r := range s.Readers {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	p.Recipients = out
}

type keyring struct {
	id *age.X25519Identity
	r  string
}

func (k keyring) ids() []age.Identity { return []age.Identity{k.id} }

func newKeyring(t *testing.T) keyring {
	id, r := newKey(t)
	return keyring{id, r}
}

// opens reports whether k opens s's range; a failure other than
// MAPI_E_NO_ACCESS fails the test.
func opens(t *testing.T, s *profile.Section, k keyring) bool {
	t.Helper()
	_, err := s.OpenSecure(k.ids())
	if err != nil && !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("open %s: %v", s.Name, err)
	}
	return err == nil
}

// checkReads checks that k opens exactly the ranges of the sections named
// in want (every section that has a range is tried).
func checkReads(t *testing.T, p *profile.Profile, k keyring, who string, want ...string) {
	t.Helper()
	for _, s := range p.Sections {
		if s.Secure == nil {
			if slices.Contains(want, s.Name) {
				t.Errorf("%s: section %s has no range", who, s.Name)
			}
			continue
		}
		if got := opens(t, s, k); got != slices.Contains(want, s.Name) {
			t.Errorf("%s opens %s: %v, want %v", who, s.Name, got, !got)
		}
	}
}

// checkSealedToOwnersAndReaders checks that every range is sealed to its
// owners and readers exactly (as recorded inside the range and beside it),
// opening it with an owner's identities.
func checkSealedToOwnersAndReaders(t *testing.T, p *profile.Profile, owner []age.Identity) {
	t.Helper()
	for _, s := range p.Sections {
		if s.Secure == nil {
			continue
		}
		want := slices.Clone(p.Owners)
		for _, r := range s.Readers {
			if !slices.Contains(want, r) {
				want = append(want, r)
			}
		}
		c, err := s.OpenSecure(owner)
		if err != nil {
			t.Fatalf("owner opens %s: %v", s.Name, err)
		}
		if !sameSet(c.Recipients, want) || !sameSet(s.Secure.Recipients, want) {
			t.Errorf("%s sealed to %v (outside: %v), want %v", s.Name, c.Recipients, s.Secure.Recipients, want)
		}
	}
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// guestFixture is a profile owned by O with sections a and b holding
// credentials, a shared with guest G; its outer recipients are derived as
// if it had been saved and loaded again.
type guestFixture struct {
	p    *profile.Profile
	o, g keyring
}

func newGuestFixture(t *testing.T) *guestFixture {
	t.Helper()
	f := &guestFixture{o: newKeyring(t), g: newKeyring(t)}
	f.p = profile.New("team", []string{f.o.r})
	for _, n := range []string{"a", "b"} {
		s, err := f.p.AddSection(n, "transport", "smtp")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.p.WriteSecure(s, f.o.ids(), map[mapi.Tag]any{mapi.PrPassword: "pw-" + n}); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := f.p.Section("a")
	if _, err := Share(f.p, a, f.o.ids(), f.g.r); err != nil {
		t.Fatal(err)
	}
	deriveRecipients(f.p)
	f.check(t, "a")
	return f
}

func (f *guestFixture) section(t *testing.T, name string) *profile.Section {
	t.Helper()
	s, err := f.p.Section(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// check: the guest opens exactly guest's sections, the owner every range,
// and no range is sealed to anyone else.
func (f *guestFixture) check(t *testing.T, guest ...string) {
	t.Helper()
	checkReads(t, f.p, f.g, "guest", guest...)
	var all []string
	for _, s := range f.p.Sections {
		if s.Secure != nil {
			all = append(all, s.Name)
		}
	}
	if f.p.IsOwner(f.o.r) {
		checkReads(t, f.p, f.o, "owner", all...)
		checkSealedToOwnersAndReaders(t, f.p, f.o.ids())
	}
}

func (f *guestFixture) apply(t *testing.T, src string, prune bool) *Plan {
	t.Helper()
	m := mustLoad(t, src, LoadOptions{})
	sec, err := (&Resolver{Dir: t.TempDir(), Getenv: env(map[string]string{"PW": "new-pw"})}).ResolveAll(m)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Apply(f.p, m, sec, ApplyOptions{IDs: f.o.ids(), Self: []string{f.o.r}, Prune: prune})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	deriveRecipients(f.p)
	return plan
}

// TestGuestReadsOnlyItsSection: a key given section a only never opens
// another section's range, whichever path writes the ranges.
func TestGuestReadsOnlyItsSection(t *testing.T) {
	t.Run("new section", func(t *testing.T) {
		f := newGuestFixture(t)
		c, err := f.p.AddSection("c", "transport", "smtp")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.p.WriteSecure(c, f.o.ids(), map[mapi.Tag]any{mapi.PrPassword: "pw-c"}); err != nil {
			t.Fatal(err)
		}
		f.check(t, "a")
	})
	t.Run("range re-created", func(t *testing.T) {
		f := newGuestFixture(t)
		a := f.section(t, "a")
		if err := f.p.WriteSecure(a, f.o.ids(), nil); err != nil || a.Secure != nil {
			t.Fatalf("delete: %v", err)
		}
		if err := f.p.WriteSecure(a, f.o.ids(), map[mapi.Tag]any{mapi.PrPassword: "again"}); err != nil {
			t.Fatal(err)
		}
		f.check(t, "a")
		b := f.section(t, "b")
		if err := f.p.WriteSecure(b, f.o.ids(), nil); err != nil {
			t.Fatal(err)
		}
		if err := f.p.WriteSecure(b, f.o.ids(), map[mapi.Tag]any{mapi.PrPassword: "again"}); err != nil {
			t.Fatal(err)
		}
		f.check(t, "a")
	})
	t.Run("apply adds a section", func(t *testing.T) {
		f := newGuestFixture(t)
		f.apply(t, "profile: team\nsections:\n  - name: c\n    credentials:\n      password: {env: PW}\n", false)
		f.check(t, "a")
	})
	t.Run("apply new credentials for b", func(t *testing.T) {
		f := newGuestFixture(t)
		plan := f.apply(t, "profile: team\nsections:\n  - name: b\n    credentials:\n      password: {env: PW}\n", false)
		if !strings.Contains(actions(plan), "update b.password (secret)") {
			t.Fatalf("plan = %s", actions(plan))
		}
		f.check(t, "a")
		if c, err := f.section(t, "b").ReadSecure(f.o.ids()); err != nil || c.Props[mapi.PrPassword] != "new-pw" {
			t.Fatalf("b: %v", err)
		}
	})
	t.Run("apply prune", func(t *testing.T) {
		f := newGuestFixture(t)
		f.apply(t, "profile: team\nowners: ["+f.o.r+"]\nsections:\n  - name: a\n    readers: ["+f.g.r+"]\n"+
			"  - name: b\n    credentials:\n      password: {env: PW}\n  - name: c\n    credentials:\n      password: {env: PW}\n", true)
		f.check(t, "a")
		// Pruned without its readers, a is the guest's no more.
		plan := f.apply(t, "profile: team\nowners: ["+f.o.r+"]\nsections:\n  - name: a\n  - name: b\n", true)
		f.check(t)
		if !strings.Contains(actions(plan), "update a.readers: -"+f.g.r) {
			t.Fatalf("plan = %s", actions(plan))
		}
	})
	t.Run("import PRF", func(t *testing.T) {
		f := newGuestFixture(t)
		pf, err := prf.Parse(strings.NewReader(corpPRF), env(map[string]string{"CORP_DOMAIN": "corp.example"}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ImportPRF(f.p, pf, f.o.ids()); err != nil {
			t.Fatal(err)
		}
		if s, _ := f.p.Section("Corp Mail"); s == nil || s.Secure == nil {
			t.Fatal("import wrote no range")
		}
		f.check(t, "a")
	})
	t.Run("export then apply into a fresh profile", func(t *testing.T) {
		f := newGuestFixture(t)
		m, err := Export(f.p, ExportOptions{IDs: f.o.ids(), Secure: true})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := m.EncodeYAML()
		if err != nil {
			t.Fatal(err)
		}
		m = mustLoad(t, string(doc), LoadOptions{AllowValues: true})
		sec, err := (&Resolver{Dir: t.TempDir(), Getenv: env(nil)}).ResolveAll(m)
		if err != nil {
			t.Fatal(err)
		}
		n := newKeyring(t)
		fresh := profile.New("team", []string{n.r})
		if _, err := Apply(fresh, m, sec, ApplyOptions{IDs: n.ids(), Self: []string{n.r}}); err != nil {
			t.Fatal(err)
		}
		deriveRecipients(fresh)
		if !sameSet(fresh.Owners, []string{n.r, f.o.r}) {
			t.Fatalf("owners = %v", fresh.Owners)
		}
		for _, s := range fresh.Sections {
			want := []string(nil)
			if s.Name == "a" {
				want = []string{f.g.r}
			}
			if !slices.Equal(s.Readers, want) {
				t.Errorf("%s readers = %v, want %v", s.Name, s.Readers, want)
			}
		}
		f.p = fresh
		f.check(t, "a")
		checkReads(t, fresh, n, "new owner", "a", "b")
		checkSealedToOwnersAndReaders(t, fresh, n.ids())
		if c, err := f.section(t, "b").ReadSecure(f.o.ids()); err != nil || c.Props[mapi.PrPassword] != "pw-b" {
			t.Fatalf("b in the fresh profile: %v", err)
		}
	})
	t.Run("rekey", func(t *testing.T) {
		f := newGuestFixture(t)
		if _, err := Rekey(f.p, f.o.ids()); err != nil {
			t.Fatal(err)
		}
		f.check(t, "a")
	})
	t.Run("add owner", func(t *testing.T) {
		f := newGuestFixture(t)
		x := newKeyring(t)
		if changed, err := AddOwner(f.p, f.o.ids(), x.r); err != nil || !changed {
			t.Fatalf("AddOwner: %v %v", changed, err)
		}
		deriveRecipients(f.p)
		f.check(t, "a")
		checkReads(t, f.p, x, "new owner", "a", "b")
		if changed, err := AddOwner(f.p, f.o.ids(), x.r); err != nil || changed {
			t.Fatalf("second AddOwner: %v %v", changed, err)
		}
	})
	t.Run("add the guest as owner", func(t *testing.T) {
		f := newGuestFixture(t)
		if _, err := AddOwner(f.p, f.o.ids(), f.g.r); err != nil {
			t.Fatal(err)
		}
		if a := f.section(t, "a"); len(a.Readers) != 0 {
			t.Fatalf("an owner stays a reader: %v", a.Readers)
		}
		f.check(t, "a", "b")
	})
	t.Run("remove owner", func(t *testing.T) {
		f := newGuestFixture(t)
		x := newKeyring(t)
		if _, err := AddOwner(f.p, f.o.ids(), x.r); err != nil {
			t.Fatal(err)
		}
		deriveRecipients(f.p)
		changed, resealed, err := RemoveOwner(f.p, f.o.ids(), x.r)
		if err != nil || !changed || !slices.Equal(resealed, []string{"a", "b"}) {
			t.Fatalf("RemoveOwner = %v %v %v", changed, resealed, err)
		}
		deriveRecipients(f.p)
		f.check(t, "a")
		checkReads(t, f.p, x, "removed owner")
		// The key rotation shows on save: TestSaveRotatesOnRemoveOwner.
	})
	t.Run("unshare", func(t *testing.T) {
		f := newGuestFixture(t)
		if changed, err := Unshare(f.p, f.section(t, "a"), f.o.ids(), f.g.r); err != nil || !changed {
			t.Fatalf("Unshare: %v %v", changed, err)
		}
		deriveRecipients(f.p)
		f.check(t)
	})
}

// TestSaveRotatesOnRemoveOwner: removing an owner rotates the signing key
// when the profile is saved, and the removed owner can open neither the
// new key nor the profile; Rekey rotates it too. (The rotation is not
// visible in memory: this test saves through a store in a temporary
// directory.)
func TestSaveRotatesOnRemoveOwner(t *testing.T) {
	o, x := newKeyring(t), newKeyring(t)
	st := &profile.Store{Root: t.TempDir()}
	p := profile.New("team", []string{o.r, x.r})
	s, _ := p.AddSection("a", "transport", "smtp")
	if err := p.WriteSecure(s, o.ids(), map[mapi.Tag]any{mapi.PrPassword: "pw"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Create(p); err != nil {
		t.Fatal(err)
	}
	before, err := st.Load("team", o.ids())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := secure.OpenSigningKey(before.Signing.Sealed(), x.ids()); err != nil {
		t.Fatalf("owner x cannot open the signing key: %v", err)
	}
	after, err := st.Update("team", o.ids(), func(p *profile.Profile) error {
		_, _, err := RemoveOwner(p, o.ids(), x.r)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if after.Signing.Key == before.Signing.Key {
		t.Fatal("signing key not rotated")
	}
	if _, err := secure.OpenSigningKey(after.Signing.Sealed(), x.ids()); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("removed owner opens the new signing key: %v", err)
	}
	if _, err := st.Load("team", x.ids()); err == nil {
		t.Fatal("removed owner reads the profile")
	}
	got, err := st.Load("team", o.ids())
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := got.Section("a"); a == nil || opens(t, a, x) || !opens(t, a, o) {
		t.Fatal("range after removal")
	}
	// Rekey rotates it too.
	rekeyed, err := st.Update("team", o.ids(), func(p *profile.Profile) error {
		_, err := Rekey(p, o.ids())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if rekeyed.Signing.Key == after.Signing.Key {
		t.Fatal("rekey did not rotate the signing key")
	}
}

// TestExportWritesOwnersAndReaders: an export names owners and each
// section's readers, and never recipients.
func TestExportWritesOwnersAndReaders(t *testing.T) {
	f := newGuestFixture(t)
	m, err := Export(f.p, ExportOptions{IDs: f.o.ids()})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Owners, []string{f.o.r}) || m.Recipients != nil {
		t.Fatalf("owners %v recipients %v", m.Owners, m.Recipients)
	}
	for _, ms := range m.Sections {
		want := []string(nil)
		if ms.Name == "a" {
			want = []string{f.g.r}
		}
		if !slices.Equal(ms.Readers, want) || ms.Recipients != nil {
			t.Errorf("%s readers %v recipients %v", ms.Name, ms.Readers, ms.Recipients)
		}
	}
	y, err := m.EncodeYAML()
	if err != nil {
		t.Fatal(err)
	}
	j, err := m.EncodeJSON()
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string][]byte{"yaml": y, "json": j} {
		if bytes.Contains(doc, []byte("recipients")) || !bytes.Contains(doc, []byte("owners")) || !bytes.Contains(doc, []byte("readers")) {
			t.Errorf("%s export:\n%s", name, doc)
		}
		if !bytes.Contains(doc, []byte(f.g.r)) {
			t.Errorf("%s export lacks the reader:\n%s", name, doc)
		}
	}
	// The export loads back with the same owners and readers.
	back := mustLoad(t, string(y), LoadOptions{})
	if !slices.Equal(back.Owners, m.Owners) || !slices.Equal(back.Sections[0].Readers, m.Sections[0].Readers) {
		t.Fatalf("reloaded: %+v", back)
	}
}

// TestLoadLegacyRecipients: `recipients` written before owners existed
// is read as owners at the profile level and readers in a section.
func TestLoadLegacyRecipients(t *testing.T) {
	o, x, g := newKeyring(t), newKeyring(t), newKeyring(t)
	m := mustLoad(t, "profile: team\nowners: ["+x.r+"]\nrecipients: ["+o.r+", "+x.r+"]\nsections:\n"+
		"  - name: a\n    recipients: ["+g.r+"]\n  - name: b\n    readers: ["+g.r+"]\n    recipients: ["+g.r+", "+x.r+"]\n", LoadOptions{})
	if !slices.Equal(m.Owners, []string{x.r, o.r}) || m.Recipients != nil {
		t.Fatalf("owners %v recipients %v", m.Owners, m.Recipients)
	}
	if !slices.Equal(m.Sections[0].Readers, []string{g.r}) || m.Sections[0].Recipients != nil {
		t.Fatalf("a readers %v recipients %v", m.Sections[0].Readers, m.Sections[0].Recipients)
	}
	if !slices.Equal(m.Sections[1].Readers, []string{g.r, x.r}) {
		t.Fatalf("b readers %v", m.Sections[1].Readers)
	}
	// Applied, the legacy section recipient is a reader of that section only.
	p := profile.New("team", []string{o.r})
	plan, err := Apply(p, mustLoad(t, "profile: team\nrecipients: ["+o.r+"]\nsections:\n  - name: a\n    recipients: ["+g.r+"]\n"+
		"    credentials:\n      password: {value: pw}\n  - name: b\n    credentials:\n      password: {value: pw}\n", LoadOptions{AllowValues: true}),
		Secrets{"a": {mapi.PrPassword: "pw"}, "b": {mapi.PrPassword: "pw"}}, ApplyOptions{IDs: o.ids()})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Owners, []string{o.r}) {
		t.Fatalf("owners %v", p.Owners)
	}
	checkReads(t, p, g, "legacy recipient", "a")
	if !strings.Contains(actions(plan), "update a.readers: +"+g.r) {
		t.Fatalf("plan = %s", actions(plan))
	}
}

// TestPlanListsWhoReadsWhat: a dry run shows every change of who can read
// what: owners added and removed, readers added and removed per section.
func TestPlanListsWhoReadsWhat(t *testing.T) {
	o, z, x, g, y := newKeyring(t), newKeyring(t), newKeyring(t), newKeyring(t), newKeyring(t)
	p := profile.New("team", []string{o.r, z.r})
	for _, n := range []string{"a", "b"} {
		s, _ := p.AddSection(n, "transport", "smtp")
		if err := p.WriteSecure(s, o.ids(), map[mapi.Tag]any{mapi.PrPassword: "pw"}); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := p.Section("a")
	if _, err := Share(p, a, o.ids(), g.r); err != nil {
		t.Fatal(err)
	}
	m := mustLoad(t, "profile: team\nowners: ["+o.r+", "+x.r+"]\nsections:\n  - name: a\n    readers: ["+y.r+"]\n"+
		"  - name: b\n    readers: ["+g.r+"]\n", LoadOptions{})
	plan, err := Apply(p, m, nil, ApplyOptions{IDs: o.ids(), Self: []string{o.r}, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{Action: Update, Prop: "owners", New: "+" + x.r, Note: "reads every section"},
		{Action: Update, Prop: "owners", New: "-" + z.r, Note: "signing key rotated"},
		{Action: Update, Section: "a", Prop: "readers", New: "+" + y.r},
		{Action: Update, Section: "a", Prop: "readers", New: "-" + g.r},
		{Action: Update, Section: "b", Prop: "readers", New: "+" + g.r},
	}
	var got []Change
	for _, c := range plan.Changes {
		if c.Prop == "owners" || c.Prop == "readers" {
			got = append(got, c)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("plan changes of who reads:\n%s\nwant\n%v", actions(plan), want)
	}
	text := actions(plan)
	for _, line := range []string{"update profile.owners: +" + x.r, "update profile.owners: -" + z.r, "update a.readers: +" + y.r, "update b.readers: +" + g.r} {
		if !strings.Contains(text, line) {
			t.Errorf("plan text lacks %q:\n%s", line, text)
		}
	}
	checkReads(t, p, g, "g", "b")
	checkReads(t, p, y, "y", "a")
	checkReads(t, p, z, "removed owner")
	checkReads(t, p, x, "new owner", "a", "b")
	// Applying it again plans no change of who reads.
	plan, err = Apply(p, m, nil, ApplyOptions{IDs: o.ids(), Self: []string{o.r}, Prune: true})
	if err != nil || plan.Changed() {
		t.Fatalf("second apply: %v\n%s", err, actions(plan))
	}
}
