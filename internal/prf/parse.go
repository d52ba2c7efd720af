package prf

import (
	"io"
	"os"
	"strings"
)

// MaxSize is the largest PRF Parse reads (real ones are a few tens of KiB).
const MaxSize = 4 << 20

// The sections with fixed names; none of them may serve as a mapping.
const (
	secGeneral  = "General"
	secServices = "Service List"
	secAccounts = "Internet Account List"
)

// Parse reads a PRF (see the package documentation for the format and the
// decisions taken) and returns it resolved and validated. getenv expands
// %VAR% placeholders in values (see [OSEnv], and [Restrict] for a file from
// elsewhere); an undefined variable stays literally, as Outlook leaves it,
// and a MAPICTL_* name is never looked up. Every error is an [*Error] and
// comes with a nil *File.
func Parse(r io.Reader, getenv func(string) (string, bool)) (*File, error) {
	f, _, err := ParseReport(r, getenv)
	return f, err
}

// ParseReport is [Parse] that also returns each placeholder it replaced, in
// the order of the file: the section and key of the value and the
// variable's name, never its value.
func ParseReport(r io.Reader, getenv func(string) (string, bool)) (*File, []Expansion, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, nil, &Error{Msg: "cannot read: " + err.Error(), Err: err}
	}
	if len(data) > MaxSize {
		return nil, nil, errorf("", 0, "file larger than %d bytes", MaxSize)
	}
	text, err := decodeText(data)
	if err != nil {
		return nil, nil, err
	}
	f, err := parseINI(text)
	if err != nil {
		return nil, nil, err
	}
	p := &parser{ini: f, getenv: getenv, services: map[string]*mapping{}, accounts: map[string]*mapping{}}
	file, perr := p.file()
	if perr != nil {
		return nil, nil, perr
	}
	file.Warnings = f.warnings
	exp, kept := p.expansions(file)
	file.Unexpanded = kept
	return file, exp, nil
}

// ParseFile is [Parse] on the named file; an *Error from it carries the
// file's name. Failing to open the file is an *fs.PathError, not an *Error.
func ParseFile(path string, getenv func(string) (string, bool)) (*File, error) {
	f, _, err := ParseFileReport(path, getenv)
	return f, err
}

// ParseFileReport is [ParseReport] on the named file, with the errors of
// [ParseFile].
func ParseFileReport(path string, getenv func(string) (string, bool)) (*File, []Expansion, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer fh.Close()
	f, exp, err := ParseReport(fh, getenv)
	if e, ok := err.(*Error); ok {
		e.File = path
	}
	return f, exp, err
}

type parser struct {
	ini      *ini
	getenv   func(string) (string, bool)
	services map[string]*mapping // folded mapping name -> section-6 mapping
	accounts map[string]*mapping // folded mapping name -> section-7 mapping
}

func (p *parser) expand(v string) string { return expand(v, p.getenv) }

// expansions lists the placeholders p.expand replaced in f, and those it
// left as written (no such variable): it expands every value of [General]
// and of each service's and account's values section, as the parse did,
// and records the names.
func (p *parser) expansions(f *File) (out, kept []Expansion) {
	if p.getenv == nil {
		return nil, nil
	}
	done := map[*section]bool{}
	walk := func(s *section) {
		if s == nil || done[s] {
			return
		}
		done[s] = true
		for _, e := range s.entries {
			expandEach(e.value, p.getenv, func(name string, ok bool) {
				if ok {
					out = append(out, Expansion{Section: s.name, Key: e.key, Name: name})
				} else {
					kept = append(kept, Expansion{Section: s.name, Key: e.key, Name: name})
				}
			})
		}
	}
	walk(p.ini.section(secGeneral))
	for _, s := range f.Services {
		walk(p.ini.section(s.ID))
	}
	for _, a := range f.Accounts {
		walk(p.ini.section(a.ID))
	}
	return out, kept
}

func (p *parser) file() (*File, *Error) {
	f := &File{Overwrite: "no", General: map[string]string{}}
	var defaultStore *entry
	if g := p.ini.section(secGeneral); g != nil {
		for _, e := range g.entries {
			v := p.expand(e.value)
			f.General[e.key] = v
			var msg string
			switch fold(e.key) {
			case "profilename":
				f.ProfileName = v
			case "defaultprofile":
				f.DefaultProfile, msg = generalBool(v)
			case "modifydefaultprofileifpresent":
				f.ModifyDefaultProfileIfPresent, msg = generalBool(v)
			case "overwriteprofile":
				switch fold(v) {
				case "":
				case "yes", "no", "append":
					f.Overwrite = fold(v)
				default:
					msg = "OverwriteProfile must be Yes, No or Append"
				}
			case "defaultstore":
				if v != "" {
					defaultStore = &e
				}
			}
			if msg != "" {
				return nil, errorf(g.name, e.line, "%s: %s", e.key, msg)
			}
		}
	}
	if sl := p.ini.section(secServices); sl != nil {
		for _, e := range sl.entries {
			s, err := p.service(sl, e)
			if err != nil {
				return nil, err
			}
			f.Services = append(f.Services, s)
		}
	}
	if defaultStore != nil {
		v := p.expand(defaultStore.value)
		for _, s := range f.Services {
			if strings.EqualFold(s.ID, v) {
				f.DefaultStore = s.ID
			}
		}
		if f.DefaultStore == "" {
			return nil, errorf(p.ini.section(secGeneral).name, defaultStore.line,
				"DefaultStore %q is not a service in [%s]", v, secServices)
		}
	}
	if al := p.ini.section(secAccounts); al != nil {
		names := map[string]int{}
		for _, e := range al.entries {
			a, err := p.account(al, e)
			if err != nil {
				return nil, err
			}
			if a.AccountName != "" {
				if first, dup := names[fold(a.AccountName)]; dup {
					return nil, errorf(al.name, e.line, "account name %q is used twice (first on line %d)", a.AccountName, first)
				}
				names[fold(a.AccountName)] = e.line
			}
			f.Accounts = append(f.Accounts, a)
		}
	}
	return f, nil
}

func generalBool(v string) (bool, string) {
	if v == "" {
		return false, ""
	}
	b, ok := parseBool(v)
	if !ok {
		return false, "must be Yes, No, True, False, 1 or 0"
	}
	return b, ""
}

// mappingSection finds the mapping section an entry of list names.
func (p *parser) mappingSection(list *section, e entry) (*section, *Error) {
	if e.value == "" {
		return nil, errorf(list.name, e.line, "%q names no mapping section", e.key)
	}
	switch fold(e.value) {
	case fold(secGeneral), fold(secServices), fold(secAccounts):
		return nil, errorf(list.name, e.line, "%q names [%s], which is not a mapping section", e.key, e.value)
	}
	ms := p.ini.section(e.value)
	if ms == nil {
		return nil, errorf(list.name, e.line, "%q: mapping section [%s] not found", e.key, e.value)
	}
	return ms, nil
}
