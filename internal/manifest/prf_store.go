package manifest

import (
	"errors"
	"io/fs"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/prf"
	"github.com/mapictl/mapictl/internal/profile"
)

// ReadPRF parses the PRF at path, expanding only the variables prf.Restrict
// lets through (prf.DefaultVars and vars) from the environment, and lists
// what it expanded (never nil). warn, when not nil, is called with each of
// the file's warnings (a key repeated with the same value, read once),
// prefixed with path. Errors: CorruptData for a PRF that does not parse,
// NotFound for a missing file, DiskError for other I/O.
func ReadPRF(path string, vars []string, warn func(string)) (*prf.File, []prf.Expansion, error) {
	file, exp, err := prf.ParseFileReport(path, prf.Restrict(prf.OSEnv, vars...))
	var pe *prf.Error
	switch {
	case err == nil:
		if warn != nil {
			for _, w := range file.Warnings {
				warn(path + ": " + w.String())
			}
		}
		if exp == nil {
			exp = []prf.Expansion{}
		}
		return file, exp, nil
	case errors.As(err, &pe):
		return nil, nil, mapi.Errorf(mapi.CorruptData, "%s", pe.Error())
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, mapi.Errorf(mapi.NotFound, "PRF file %s not found", path)
	}
	return nil, nil, mapi.Wrap(mapi.DiskError, err, "read PRF file "+path)
}

// PRFTarget is the profile a PRF import writes, and its OverwriteProfile
// mode ("yes", "no" or "append"). name (--name) wins, with the file's mode;
// else the file's ProfileName, unless it says ModifyDefaultProfileIfPresent
// and the default profile def exists: then def, in append mode. Errors:
// InvalidParameter when no name results, or one profile.CheckName refuses.
func PRFTarget(f *prf.File, name, def string, exists func(string) bool) (target, mode string, err error) {
	target, mode = name, f.Overwrite
	if target == "" {
		target = f.ProfileName
		if f.ModifyDefaultProfileIfPresent && def != "" && exists(def) {
			target, mode = def, "append"
		}
	}
	if target == "" {
		return "", "", mapi.Errorf(mapi.InvalidParameter, "the PRF names no profile").WithHint("pass --name NAME")
	}
	if err := profile.CheckName("profile", target); err != nil {
		return "", "", err
	}
	return target, mode, nil
}

// Import modes, as ImportToStore reports them.
const (
	ImportCreate  = "create"  // a new profile
	ImportReplace = "replace" // OverwriteProfile=Yes: its sections replaced
	ImportAppend  = "append"  // its sections added to and updated
)

// ImportToStore imports f into profile name of st ([ImportPRF]) in mode
// (from [PRFTarget]) and says how. A missing profile is created for
// o.Owners; an existing one is refused (Collision) in mode "no", has its
// sections reset first in mode "yes", and is updated under its lock with
// o.Identities. sum.Changed says whether the profile was written: an
// append that changes nothing (the same PRF imported again) writes
// nothing, as re-applying a manifest does. o.DryRun and o.Prune do not
// apply.
func ImportToStore(st *profile.Store, name, mode string, f *prf.File, o StoreOptions) (*ImportSummary, string, error) {
	if !st.Exists(name) {
		own, err := o.Owners()
		if err != nil {
			return nil, "", err
		}
		p := profile.New(name, own)
		sum, err := ImportPRF(p, f, nil)
		if err != nil {
			return nil, "", err
		}
		sum.Changed = true
		return sum, ImportCreate, st.Create(p)
	}
	if mode == "no" {
		return nil, "", mapi.Errorf(mapi.Collision, "profile %q already exists and the PRF says OverwriteProfile=No", name).
			WithHint("pass --name NEW, or set OverwriteProfile=Append (update) or Yes (replace) in the PRF")
	}
	ids, err := o.Identities()
	if err != nil {
		return nil, "", err
	}
	var sum *ImportSummary
	var version int64
	p, err := st.Update(name, ids, func(p *profile.Profile) error {
		version = p.Version
		if mode == "yes" {
			p.ResetSections()
		}
		var err error
		sum, err = ImportPRF(p, f, ids)
		return err
	})
	if err == nil {
		sum.Changed = p.Version != version // Update commits a new version, or writes nothing
	}
	if mode == "yes" {
		return sum, ImportReplace, err
	}
	return sum, ImportAppend, err
}
