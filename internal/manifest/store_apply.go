package manifest

import (
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

// LoadSource loads the manifest `profile apply -f` names: file, or stdin
// when file is "-" ([LoadFile], [Load]). dir is the directory its {file:
// ...} and {command: ...} sources are relative to: file's, or the working
// directory for stdin. A manifest read from stdin cannot take a credential
// from stdin as well: {stdin: true} in it is InvalidParameter.
func LoadSource(file string, stdin io.Reader, o LoadOptions) (m *Manifest, dir string, err error) {
	dir, _ = os.Getwd()
	if file == "-" {
		m, err = Load(stdin, o)
	} else {
		m, err = LoadFile(file, o)
		if abs, aerr := filepath.Abs(file); aerr == nil {
			dir = filepath.Dir(abs)
		}
	}
	if err != nil {
		return nil, "", err
	}
	if file == "-" && m.UsesStdin() {
		return nil, "", mapi.Errorf(mapi.InvalidParameter, "the manifest comes from standard input, so no credential can use {stdin: true}")
	}
	return m, dir, nil
}

// StoreOptions tune [ApplyToStore].
type StoreOptions struct {
	DryRun bool // plan only: write nothing
	Prune  bool // as ApplyOptions.Prune
	// Identities loads the applier's identities (it may prompt); called
	// when the profile exists.
	Identities func() ([]age.Identity, error)
	// Owners returns the recipients of a profile the manifest creates (the
	// applier's: profile.Store.OwnRecipients); called when it does not
	// exist.
	Owners func() ([]string, error)
}

// ApplyToStore makes profile m.Profile in st what m describes ([Apply])
// and returns the plan. An existing profile is updated under its lock and
// saved (on a dry run, loaded and left as it is); a missing one is created
// for o.Owners, and the plan says Create. The applier's recipients are
// never pruned as owners. A new profile with no recipient is
// InvalidParameter (except on a dry run).
func ApplyToStore(st *profile.Store, m *Manifest, secrets Secrets, o StoreOptions) (*Plan, error) {
	ao := ApplyOptions{Prune: o.Prune}
	var plan *Plan
	switch {
	case st.Exists(m.Profile) && o.DryRun:
		ids, err := o.Identities()
		if err != nil {
			return nil, err
		}
		p, err := st.Load(m.Profile, ids)
		if err != nil {
			return nil, err
		}
		ao.IDs = ids
		ao.Self, _ = secure.RecipientsOf(ids)
		return Apply(p, m, secrets, ao)
	case st.Exists(m.Profile):
		ids, err := o.Identities()
		if err != nil {
			return nil, err
		}
		_, err = st.Update(m.Profile, ids, func(p *profile.Profile) error {
			ao.IDs = ids
			ao.Self, _ = secure.RecipientsOf(ids)
			var err error
			plan, err = Apply(p, m, secrets, ao)
			return err
		})
		if err != nil {
			return nil, err
		}
		return plan, nil
	}
	own, err := o.Owners()
	if err != nil {
		return nil, err
	}
	p := profile.New(m.Profile, own)
	ao.Self = own
	if plan, err = Apply(p, m, secrets, ao); err != nil {
		return nil, err
	}
	plan.Create = true
	if len(p.Recipients) == 0 && !o.DryRun {
		return nil, mapi.Errorf(mapi.InvalidParameter, "profile %q would have no recipient", m.Profile)
	}
	if !o.DryRun {
		if err := st.Create(p); err != nil {
			return nil, err
		}
	}
	return plan, nil
}

// DefaultProfile records on p the change of the configuration's
// default-profile that m asks for, given its current value: default: true
// makes it m.Profile, default: false clears it when it is m.Profile. ok is
// false, and p unchanged, when m says nothing or nothing changes; else value
// is what default-profile becomes ("" to clear it).
func (p *Plan) DefaultProfile(m *Manifest, current string) (value string, ok bool) {
	if m.Default == nil {
		return "", false
	}
	var old any
	if current != "" {
		old = current
	}
	switch {
	case *m.Default && current != m.Profile:
		value = m.Profile
	case !*m.Default && current == m.Profile:
	default:
		return "", false
	}
	p.Changes = append(p.Changes, Change{Action: Update, Prop: "default", Old: old, New: value})
	return value, true
}
