package manifest

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/term"
)

// Resolver reads secrets from the sources a manifest names.
//
// A manifest may come from someone else, so two of its sources need the
// applier's consent: running a {command: ...} and reading a {file: ...}
// outside the manifest's directory (after cleaning the path and following
// symlinks, so "../" and a link out both count). Either is allowed by
// AllowCommands, or asked one at a time through Confirm; without either
// it is MAPI_E_INVALID_PARAMETER naming the source, and a "no" is
// MAPI_E_USER_CANCEL. A dry run runs no command and reads no such file
// without AllowCommands: the value stands in (see [Resolver.Annotate]).
// A command runs with the environment minus every MAPICTL_* variable.
type Resolver struct {
	Dir     string                      // directory of the manifest: {file: PATH} and commands are relative to it
	Stdin   io.Reader                   // for {stdin: true}
	Getenv  func(string) (string, bool) // for {env: VAR}; nil means os.LookupEnv
	Stderr  io.Writer                   // a command's standard error; nil discards it
	Timeout time.Duration               // per command; 0 means one minute
	// Context bounds every command: once it is cancelled (mapictl's is,
	// by SIGINT and SIGTERM) a running command is killed and no other
	// starts, and resolving is MAPI_E_USER_CANCEL. nil: never cancelled.
	Context context.Context

	DryRun        bool // run no command; read files outside Dir only with AllowCommands
	AllowCommands bool // run commands and read files outside Dir without asking
	// Confirm, when AllowCommands is false, asks whether to go ahead with
	// what (a command's argv, or a file outside Dir); nil refuses.
	Confirm func(what string) (bool, error)

	standIns []standIn // what a dry run did not run or read
}

// standIn is a credential a dry run gave a stand-in value, and why.
type standIn struct {
	section, key, note string
}

// dryRunStandIn is the value of a credential a dry run did not run or read:
// it differs from any real one, so the plan shows the credential as set.
const dryRunStandIn = "mapictl dry run: not resolved"

// Annotate notes, on each change of plan to a credential whose value a dry
// run did not run or read, where the value would come from ("from command
// pass, not run in a dry run"). It never adds a value.
func (r *Resolver) Annotate(plan *Plan) {
	for i, c := range plan.Changes {
		for _, s := range r.standIns {
			if c.Secret && c.Section == s.section && c.Prop == s.key {
				plan.Changes[i].Note = s.note
			}
		}
	}
}

// Secrets are the resolved credentials of a manifest, by section name.
type Secrets map[string]map[mapi.Tag]any

// ResolveAll reads every credential of m. A secret that is missing (an
// unset or empty variable, a file that does not exist or is empty, a
// command that fails) is MAPI_E_UNCONFIGURED; a file that cannot be read
// MAPI_E_DISK_ERROR. One trailing newline is removed from a file, stdin
// and a command's output, nothing else. A command stopped by r.Context is
// MAPI_E_USER_CANCEL. Errors name the section and field, never the value.
func (r *Resolver) ResolveAll(m *Manifest) (Secrets, error) {
	r.standIns = nil
	out := Secrets{}
	for _, s := range m.Sections {
		if len(s.Credentials) == 0 {
			continue
		}
		props := map[mapi.Tag]any{}
		for _, c := range s.Credentials {
			b, err := r.resolve(s.Name, c)
			if err != nil {
				return nil, err
			}
			v, err := credValue(s.Name, c, b)
			if err != nil {
				return nil, err
			}
			props[c.Tag] = v
		}
		out[s.Name] = props
	}
	return out, nil
}

// credValue is the resolved bytes b of c as its tag's type: bytes for a
// binary tag, an RFC 3339 time for a PT_SYSTIME one (oauth2.expiry; a dry
// run's stand-in becomes the zero time), else a string. A time that does
// not parse is MAPI_E_INVALID_PARAMETER naming the section and field.
func credValue(section string, c Cred, b []byte) (any, error) {
	switch c.Tag.Type() {
	case mapi.PtBinary:
		return b, nil
	case mapi.PtSysTime:
		if string(b) == dryRunStandIn {
			return time.Time{}, nil
		}
		v, err := mapi.ParseValue(c.Tag, string(b))
		if err != nil {
			return nil, mapi.Errorf(mapi.InvalidParameter, "credential %s.%s: want an RFC 3339 time, such as 2030-01-02T15:04:05Z", section, c.Key)
		}
		return v, nil
	}
	return string(b), nil
}

func (r *Resolver) resolve(section string, c Cred) ([]byte, error) {
	what := section + "." + c.Key
	unconf := func(format string, args ...any) *mapi.Error {
		return mapi.Errorf(mapi.Unconfigured, "credential %s: "+format, append([]any{what}, args...)...)
	}
	var b []byte
	switch src := c.Source; {
	case src.Env != "":
		get := r.Getenv
		if get == nil {
			get = os.LookupEnv
		}
		v, ok := get(src.Env)
		if !ok || v == "" {
			return nil, unconf("environment variable %s is not set", src.Env).
				WithHint("export " + src.Env + " before running apply")
		}
		return []byte(v), nil
	case src.File != "":
		p, outside, perr := r.filePath(src.File)
		if outside {
			if r.DryRun && !r.AllowCommands {
				return r.standIn(section, c, "from file "+strconv.Quote(p)+", outside the manifest's directory, not read"), nil
			}
			if err := r.consent(what, "read file "+strconv.Quote(p)+" (outside the manifest's directory)",
				"file %q is outside the manifest's directory; reading it needs --allow-commands", p); err != nil {
				return nil, err
			}
		}
		var data []byte
		err := perr
		if err == nil {
			data, err = readLimited(p)
		}
		if errors.Is(err, os.ErrNotExist) {
			return nil, unconf("file %s does not exist", p)
		}
		if err != nil {
			return nil, mapi.Wrap(mapi.DiskError, err, "credential "+what+": read "+p)
		}
		b = data
	case src.Stdin:
		if r.Stdin == nil {
			return nil, unconf("standard input is not available")
		}
		data, err := io.ReadAll(io.LimitReader(r.Stdin, mapi.MaxValueLen+1))
		if err != nil {
			return nil, mapi.Wrap(mapi.DiskError, err, "credential "+what+": read standard input")
		}
		b = data
	case len(src.Command) > 0:
		if r.DryRun {
			return r.standIn(section, c, "from command "+bare(clip(src.Command[0]))+", not run in a dry run"), nil
		}
		if err := r.consent(what, "run command "+quoteArgv(src.Command),
			"the manifest runs command %q; running a manifest's commands needs --allow-commands", clip(src.Command[0])); err != nil {
			return nil, err
		}
		data, err := r.run(src.Command)
		if mapi.IsCode(err, mapi.UserCancel) {
			return nil, err
		}
		if err != nil {
			return nil, unconf("command %q failed: %v", clip(src.Command[0]), err)
		}
		b = data
	case src.Value != nil && c.Tag.Type() == mapi.PtBinary:
		b, err := hex.DecodeString(*src.Value)
		if err != nil {
			return nil, mapi.Errorf(mapi.InvalidParameter, "credential %s: binary value wants hex digits", what)
		}
		return b, nil
	case src.Value != nil:
		return []byte(*src.Value), nil
	default:
		return []byte(src.Literal), nil
	}
	if len(b) > mapi.MaxValueLen {
		return nil, mapi.Errorf(mapi.InvalidParameter, "credential %s: value too long", what)
	}
	b = term.TrimNewline(b)
	if len(b) == 0 {
		return nil, unconf("the value is empty")
	}
	return b, nil
}

// standIn records that c got the dry run's stand-in value and returns it.
func (r *Resolver) standIn(section string, c Cred, note string) []byte {
	r.standIns = append(r.standIns, standIn{section: section, key: c.Key, note: note})
	return []byte(dryRunStandIn)
}

// consent lets what (named in full by prompt) go ahead: with
// AllowCommands, or when Confirm says yes. refusal is the error's text
// (format and args) when there is no one to ask.
func (r *Resolver) consent(what, prompt, refusal string, args ...any) error {
	if r.AllowCommands {
		return nil
	}
	if r.Confirm == nil {
		return mapi.Errorf(mapi.InvalidParameter, "credential %s: "+refusal, append([]any{what}, args...)...).
			WithHint("review the manifest, then apply it with --allow-commands (or on a terminal, to be asked each time)")
	}
	ok, err := r.Confirm(prompt + " for credential " + what)
	if err != nil {
		return err
	}
	if !ok {
		return mapi.Errorf(mapi.UserCancel, "credential %s: not resolved, nothing written", what)
	}
	return nil
}

// bare is s as it is when it holds only printable characters and no space,
// else quoted in Go syntax.
func bare(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) < 0 {
		return s
	}
	return strconv.Quote(s)
}

// quoteArgv is argv with each word quoted in Go syntax: control characters
// escaped, word boundaries visible.
func quoteArgv(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = strconv.Quote(a)
	}
	return strings.Join(q, " ")
}

// filePath resolves a {file: PATH} against Dir and reports whether it lies
// outside Dir: by its cleaned path, then by the path its symlinks lead to,
// which is the one returned, to be read. The error is that of following
// the symlinks (fs.ErrNotExist for a path that does not exist).
func (r *Resolver) filePath(name string) (string, bool, error) {
	dir, err := filepath.Abs(r.Dir)
	if err != nil {
		dir = filepath.Clean(r.Dir)
	}
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	p = filepath.Clean(p)
	if !within(dir, p) {
		return p, true, nil
	}
	rp, err := filepath.EvalSymlinks(p)
	if err != nil {
		return p, false, err
	}
	rd, err := filepath.EvalSymlinks(dir)
	if err != nil {
		rd = dir
	}
	return rp, !within(rd, rp), nil
}

// within reports whether the clean path p is dir or lies below it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// childEnv is environ minus every MAPICTL_* variable (any case: Windows
// names ignore it), the rule of the sendmail transport: a manifest's
// command must not see MAPICTL_IDENTITY (a secret key), MAPICTL_SESSION (a
// bearer token) or MAPICTL_PASSPHRASE_FD.
func childEnv(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		if !strings.HasPrefix(strings.ToUpper(kv), "MAPICTL_") {
			out = append(out, kv)
		}
	}
	return out
}

// commandWaitDelay bounds the wait, once a command is killed, for a child
// of it that still holds its standard output or error open.
const commandWaitDelay = 2 * time.Second

func readLimited(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, mapi.MaxValueLen+1))
}

// run runs argv (no shell) in the manifest's directory, with the
// environment minus every MAPICTL_* variable, and returns its standard
// output. The error says how it failed, never what it printed; a command
// stopped because r.Context was cancelled is MAPI_E_USER_CANCEL. Once the
// command is killed (cancelled or timed out), a child it left holding its
// output is waited for at most commandWaitDelay.
func (r *Resolver) run(argv []string) ([]byte, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	parent := r.Context
	if parent == nil {
		parent = context.Background()
	}
	cancelled := func() error {
		return mapi.Errorf(mapi.UserCancel, "command %q cancelled, nothing written", clip(argv[0]))
	}
	if parent.Err() != nil {
		return nil, cancelled()
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.WaitDelay = commandWaitDelay
	cmd.Dir = r.Dir
	cmd.Env = childEnv(os.Environ())
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = r.Stderr
	if err := cmd.Run(); err != nil {
		if parent.Err() != nil {
			return nil, cancelled()
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, errors.New(ee.ProcessState.String())
		}
		if errors.Is(err, exec.ErrNotFound) {
			return nil, errors.New("not found")
		}
		return nil, errors.New("could not run it")
	}
	return out.Bytes(), nil
}
