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
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// Resolver reads secrets from the sources a manifest names.
type Resolver struct {
	Dir     string                      // directory of the manifest: {file: PATH} and commands are relative to it
	Stdin   io.Reader                   // for {stdin: true}
	Getenv  func(string) (string, bool) // for {env: VAR}; nil means os.LookupEnv
	Stderr  io.Writer                   // a command's standard error; nil discards it
	Timeout time.Duration               // per command; 0 means one minute
}

// Secrets are the resolved credentials of a manifest, by section name.
type Secrets map[string]map[mapi.Tag]any

// ResolveAll reads every credential of m. A secret that is missing (an
// unset or empty variable, a file that does not exist or is empty, a
// command that fails) is MAPI_E_UNCONFIGURED; a file that cannot be read
// MAPI_E_DISK_ERROR. One trailing newline is removed from a file, stdin
// and a command's output, nothing else. Errors name the section and field,
// never the value.
func (r *Resolver) ResolveAll(m *Manifest) (Secrets, error) {
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
			if c.Tag.Type() == mapi.PtBinary {
				props[c.Tag] = b
			} else {
				props[c.Tag] = string(b)
			}
		}
		out[s.Name] = props
	}
	return out, nil
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
		p := src.File
		if !filepath.IsAbs(p) {
			p = filepath.Join(r.Dir, p)
		}
		data, err := readLimited(p)
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
		data, err := r.run(src.Command)
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
	b = secure.TrimNewline(b)
	if len(b) == 0 {
		return nil, unconf("the value is empty")
	}
	return b, nil
}

func readLimited(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, mapi.MaxValueLen+1))
}

// run runs argv (no shell) in the manifest's directory and returns its
// standard output. The error says how it failed, never what it printed.
func (r *Resolver) run(argv []string) ([]byte, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = r.Dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = r.Stderr
	if err := cmd.Run(); err != nil {
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
