package main

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/spf13/viper"
	xterm "golang.org/x/term"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/term"
)

// iostreams are the process's standard streams and whether each is a terminal.
type iostreams struct {
	In       io.Reader
	Out, Err io.Writer
	OutTTY   bool
}

// factory holds lazily built dependencies shared by the commands. A command
// that never touches profiles never opens them.
type factory struct {
	IO *iostreams
	v  *viper.Viper

	// Global flag values (bound into v).
	storeFlag    string
	identityFlag []string
	verbose      bool
	// profileFlagGiven is whether -p/--profile was given as a flag (not
	// only $MAPICTL_PROFILE): under a session only the flag may conflict
	// with the session's profile (session_hook.go).
	profileFlagGiven bool
	// sessionFile is the --session-file of the command that runs ("" when
	// not given or the command has none): its session token is read from
	// that file instead of $MAPICTL_SESSION (session_hook.go).
	sessionFile string
	// evalFailureSaid is whether the command printed its evalOnFailure
	// value itself (run.go).
	evalFailureSaid bool

	prompts // the run's Prompter and the context of its prompts (prompt.go)

	ids []age.Identity

	log logState // the diagnostics logger (logging.go)
}

func newFactory(stdin io.Reader, stdout, stderr io.Writer) *factory {
	ios := &iostreams{In: stdin, Out: stdout, Err: stderr}
	if f, ok := stdout.(*os.File); ok {
		ios.OutTTY = xterm.IsTerminal(int(f.Fd()))
	}
	v := viper.New()
	v.SetEnvPrefix("MAPICTL")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	v.SetDefault("output", "text")
	v.SetDefault("lock-timeout", "10s")
	return &factory{IO: ios, v: v}
}

// StoreDir resolves --store, $MAPICTL_STORE, else $XDG_CONFIG_HOME/mapictl.
func (f *factory) StoreDir() string {
	if d := f.v.GetString("store"); d != "" {
		return d
	}
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "mapictl")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".config", "mapictl")
}

// loadConfig reads config.yaml (--config, else <store>/config.yaml); a
// missing file is not an error.
func (f *factory) loadConfig() error {
	path := f.v.GetString("config")
	if path == "" {
		path = filepath.Join(f.StoreDir(), profile.ConfigFile)
	}
	// Read here, then parsed by viper: a file that cannot be read is a disk
	// error (74), one that does not parse is corrupt (65).
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return mapi.Wrap(mapi.DiskError, err, "read config "+path)
	}
	f.v.SetConfigType("yaml")
	if err := f.v.ReadConfig(bytes.NewReader(data)); err != nil {
		return mapi.Wrap(mapi.CorruptData, err, "read config "+path)
	}
	return nil
}

// ConfigPath is the config file mapictl writes default-profile into.
func (f *factory) ConfigPath() string {
	if p := f.v.GetString("config"); p != "" {
		return p
	}
	return filepath.Join(f.StoreDir(), profile.ConfigFile)
}

// Store returns the profile store.
func (f *factory) Store() *profile.Store {
	d, err := time.ParseDuration(f.v.GetString("lock-timeout"))
	if err != nil || d < 0 {
		d = 10 * time.Second
	}
	return &profile.Store{Root: f.StoreDir(), LockTimeout: d, Warnf: f.warnf, Context: f.context()}
}

func (f *factory) jsonOutput() bool { return strings.EqualFold(f.v.GetString("output"), "json") }

// checkOutput refuses an output format (-o, $MAPICTL_OUTPUT, config.yaml)
// other than text or json, in any case: MAPI_E_INVALID_PARAMETER (64).
func (f *factory) checkOutput() error {
	o := f.v.GetString("output")
	if strings.EqualFold(o, "text") || strings.EqualFold(o, "json") {
		return nil
	}
	return mapi.Errorf(mapi.InvalidParameter, "unknown output format %q: want text or json", o).
		WithHint("pass -o text or -o json, or set MAPICTL_OUTPUT to one of them")
}

// checkLockTimeout refuses a --lock-timeout ($MAPICTL_LOCK_TIMEOUT,
// config.yaml) that is not a duration of zero or more: 64, before any work,
// rather than the default taken in its place without a word.
func (f *factory) checkLockTimeout() error {
	s := f.v.GetString("lock-timeout")
	if d, err := time.ParseDuration(s); err != nil || d < 0 {
		return mapi.Errorf(mapi.InvalidParameter, "invalid lock timeout %q: want a duration such as 10s or 2m", s).
			WithHint("pass --lock-timeout DURATION, or fix MAPICTL_LOCK_TIMEOUT or config.yaml's lock-timeout")
	}
	return nil
}

// noInput reports --no-input / $MAPICTL_NO_INPUT (1, true, yes).
func (f *factory) noInput() bool {
	s := strings.ToLower(strings.TrimSpace(f.v.GetString("no-input")))
	if b, err := strconv.ParseBool(s); err == nil {
		return b
	}
	return s == "yes" || s == "y" || s == "on"
}

// ProfileName resolves -p, $MAPICTL_PROFILE, else default-profile from config.
// A command under a session uses the session's profile instead; a -p flag
// naming another is refused there (currentSession).
func (f *factory) ProfileName() (string, error) {
	if p := f.v.GetString("profile"); p != "" {
		return p, profile.CheckName("profile", p)
	}
	if p := f.v.GetString("default-profile"); p != "" {
		return p, profile.CheckName("profile", p)
	}
	return "", f.Store().NoProfileError()
}

// Identities loads the decryption identities once (SPEC §4 precedence).
func (f *factory) Identities() ([]age.Identity, error) {
	if f.ids != nil {
		return f.ids, nil
	}
	ids, err := secure.LoadIdentities(f.identitySource(f.passphrase))
	if err != nil {
		return nil, err
	}
	f.ids = ids
	return ids, nil
}

// quietIdentities is Identities for a command that only looks: it asks
// for no passphrase (and fails instead).
func (f *factory) quietIdentities() ([]age.Identity, error) {
	if f.ids != nil {
		return f.ids, nil
	}
	return secure.LoadIdentities(f.identitySource(func(string) ([]byte, error) {
		return nil, mapi.Errorf(mapi.NoAccess, "no passphrase asked")
	}))
}

// identitySource is where this run's identities come from (SPEC §4), with
// pass to unlock an encrypted one.
func (f *factory) identitySource(pass func(string) ([]byte, error)) secure.Source {
	return secure.Source{
		Files:      f.identityFlag,
		KeyText:    os.Getenv("MAPICTL_IDENTITY"),
		KeyFile:    os.Getenv("MAPICTL_IDENTITY_FILE"),
		StoreFile:  filepath.Join(f.StoreDir(), profile.IdentityFile),
		Passphrase: pass,
	}
}

// passphrase unlocks an encrypted identity: from $MAPICTL_PASSPHRASE_FD,
// else a terminal prompt, else MAPI_E_UNCONFIGURED (term.Passphrase).
func (f *factory) passphrase(prompt string) ([]byte, error) {
	return term.Passphrase(f.context(), f.prompter(), f.CanPrompt, os.Getenv("MAPICTL_PASSPHRASE_FD"))(prompt)
}

// LoadProfile loads the selected profile with the identities.
func (f *factory) LoadProfile(name string) (*profile.Profile, error) {
	ids, err := f.Identities()
	if err != nil {
		return nil, err
	}
	return f.Store().Load(name, ids)
}

// UpdateProfile runs fn on the locked, loaded profile and saves it.
func (f *factory) UpdateProfile(name string, fn func(p *profile.Profile, ids []age.Identity) error) (*profile.Profile, error) {
	ids, err := f.Identities()
	if err != nil {
		return nil, err
	}
	return f.Store().Update(name, ids, func(p *profile.Profile) error { return fn(p, ids) })
}

// loadSelected loads the profile chosen by -p, $MAPICTL_PROFILE or the default.
func (f *factory) loadSelected() (*profile.Profile, error) {
	name, err := f.ProfileName()
	if err != nil {
		return nil, err
	}
	return f.LoadProfile(name)
}

// loadSection reads one section of the selected profile, decoding no more
// of the others than the file's checks need (profile.Store.LoadSection).
// The section is for reading: a command that writes loads the profile whole.
func (f *factory) loadSection(section string) (*profile.Section, error) {
	name, err := f.ProfileName()
	if err != nil {
		return nil, err
	}
	ids, err := f.Identities()
	if err != nil {
		return nil, err
	}
	return f.Store().LoadSection(name, section, ids)
}
