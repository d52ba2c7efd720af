// Command spoolfill queues N messages into a store's spool, fast and in one
// process, for scripts/bench.sh's spool rows (issue 29). Each message takes
// the path of `mapictl message send --queue`: composed by internal/message,
// sealed and authenticated by delivery.Keys.Submit (QueueOnly) into the
// store's spool, so that `mapictl spool list` and `spool flush` read them as
// their own. It never writes a spool file itself.
//
//	spoolfill [-store DIR] [-profile P] [-section S] -n N [-to ADDR] [-j JOBS]
//
// -store defaults to $MAPICTL_STORE (else $XDG_CONFIG_HOME/mapictl or
// ~/.config/mapictl), -profile to $MAPICTL_PROFILE, else the store's
// default-profile (config.yaml, or $MAPICTL_CONFIG), -section to the
// profile's default transport. The profile is opened with the identities of
// mapictl's own precedence ($MAPICTL_IDENTITY, $MAPICTL_IDENTITY_FILE, else
// the store's identity.txt); an identity that needs a passphrase is
// refused (nothing is prompted), and a session ($MAPICTL_SESSION) is
// ignored. Every message has a small body (about 300 bytes), a numbered
// subject and the section's address as its sender. JOBS (default 8)
// messages are queued at once, each worker with a spool handle and outbox
// keys of its own, as that many `message send --queue` processes would:
// the spool's fsyncs then overlap (about 4x faster than one at a time).
//
// On success it prints only "queued N" on stderr. On error it prints
// "spoolfill: error: ..." with the hints and exits with the error's MAPI exit
// status (SPEC §9); messages queued before the error stay queued.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"filippo.io/age"
	"go.yaml.in/yaml/v3"

	"github.com/mapictl/mapictl/internal/account"
	"github.com/mapictl/mapictl/internal/delivery"
	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/spool"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// Body is the text of every message: a few hundred bytes, like a CI
// notification. scripts/smtpfloor sends the same text, so that both sides
// of the bench's floor row carry messages of one size.
const Body = `The nightly build of main finished.

  commit   5acc60a0c0ffee
  result   success (412 tests, 0 failures)
  duration 7m31s
  artifacts https://ci.example.org/builds/4711/artifacts

This message was queued by scripts/spoolfill for the spool benchmark of
mapictl (issue 29). Nobody reads it.
`

// Subject is the subject of every message (numbered).
const Subject = "spool bench %d"

type options struct {
	store, profile, section, to string
	n, jobs                     int
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

// run parses args, fills and returns the exit status; it writes to stderr
// only.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	fl := flag.NewFlagSet("spoolfill", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var o options
	fl.StringVar(&o.store, "store", "", "store directory (default $MAPICTL_STORE, else mapictl's)")
	fl.StringVar(&o.profile, "profile", "", "profile (default $MAPICTL_PROFILE, else the store's default)")
	fl.StringVar(&o.section, "section", "", "transport section (default: the profile's default transport)")
	fl.IntVar(&o.n, "n", 0, "number of messages to queue")
	fl.StringVar(&o.to, "to", "rcpt@example.org", "recipient of every message")
	fl.IntVar(&o.jobs, "j", 8, "messages queued at once (each as a process of its own would)")
	if err := fl.Parse(args); err != nil {
		return 64
	}
	if fl.NArg() > 0 || o.n <= 0 || o.jobs <= 0 {
		fmt.Fprintln(stderr, "usage: spoolfill [-store DIR] [-profile P] [-section S] -n N [-to ADDR] [-j JOBS]")
		return 64
	}
	n, err := fill(ctx, o)
	if n > 0 || err == nil {
		fmt.Fprintf(stderr, "queued %d\n", n)
	}
	if err != nil {
		e := mapi.AsError(err)
		fmt.Fprintf(stderr, "spoolfill: error: %s (%s)\n", textsafe.Escape(e.Msg), e.Code.Name)
		for _, h := range e.Hints {
			fmt.Fprintf(stderr, "spoolfill: hint: %s\n", textsafe.Escape(h))
		}
		return e.ExitStatus()
	}
	return 0
}

// fill queues o.n messages, o.jobs at a time, and returns how many it
// queued. Errors: those of
// loading the identities and the profile, of picking the section
// (account.Resolver.Sending), of composing and of delivery.Keys.Submit;
// MAPI_E_USER_CANCEL when ctx ends first.
func fill(ctx context.Context, o options) (int, error) {
	root := storeDir(o.store)
	src := secure.Source{
		KeyText:   os.Getenv("MAPICTL_IDENTITY"),
		KeyFile:   os.Getenv("MAPICTL_IDENTITY_FILE"),
		StoreFile: filepath.Join(root, profile.IdentityFile),
	}
	identities := sync.OnceValues(func() ([]age.Identity, error) { return secure.LoadIdentities(src) })
	st := &profile.Store{Root: root, Context: ctx}
	r := &account.Resolver{StoreRoot: root, Identities: identities,
		ProfileName: func() (string, error) { return profileName(o.profile, root, st) },
		LoadProfile: func(name string) (*profile.Profile, error) {
			ids, err := identities()
			if err != nil {
				return nil, err
			}
			return st.Load(name, ids)
		}}
	a, err := r.Sending(o.section)
	if err != nil {
		return 0, err
	}
	t := r.Target(a)
	var queued, next atomic.Int64
	errs := make([]error, o.jobs)
	var wg sync.WaitGroup
	for j := range o.jobs {
		wg.Go(func() {
			errs[j] = submit(ctx, root, t, identities, o.to, &next, int64(o.n), &queued)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return int(queued.Load()), err
		}
	}
	return o.n, nil
}

// submit queues messages as a `message send --queue` process of its own
// would (a spool and outbox keys of its own) until next reaches n, counting
// them in queued. Errors: the first of composing and Submit; MAPI_E_USER_CANCEL
// once ctx ends.
func submit(ctx context.Context, root string, t *delivery.Target, identities func() ([]age.Identity, error),
	to string, next *atomic.Int64, n int64, queued *atomic.Int64) error {
	sp, err := spool.Open(filepath.Join(root, "spool"))
	if err != nil {
		return err
	}
	keys := delivery.Keys{StoreDir: root, Identities: identities}
	for {
		i := next.Add(1)
		if i > n {
			return nil
		}
		if ctx.Err() != nil {
			return mapi.Errorf(mapi.UserCancel, "interrupted")
		}
		c, err := (&message.Request{From: t.From, To: []string{to}, Subject: fmt.Sprintf(Subject, i),
			Text: Body, Date: time.Now()}).Compose()
		if err != nil {
			return err
		}
		if _, err := keys.Submit(ctx, sp, t.Submission(&spool.Payload{From: t.From.Email, To: c.To, Message: c.Msg}, true)); err != nil {
			next.Store(n) // the others stop too
			return err
		}
		queued.Add(1)
	}
}

// storeDir is mapictl's store: dir, else $MAPICTL_STORE, else
// $XDG_CONFIG_HOME/mapictl, else ~/.config/mapictl.
func storeDir(dir string) string {
	if dir != "" {
		return dir
	}
	if d := os.Getenv("MAPICTL_STORE"); d != "" {
		return d
	}
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "mapictl")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".config", "mapictl")
}

// profileName is name, else $MAPICTL_PROFILE, else default-profile of the
// configuration ($MAPICTL_CONFIG, else root/config.yaml). Errors:
// MAPI_E_DISK_ERROR or MAPI_E_CORRUPT_DATA for a configuration that cannot
// be read, and mapictl's own for no profile at all.
func profileName(name, root string, st *profile.Store) (string, error) {
	if name == "" {
		name = os.Getenv("MAPICTL_PROFILE")
	}
	if name != "" {
		return name, profile.CheckName("profile", name)
	}
	path := os.Getenv("MAPICTL_CONFIG")
	if path == "" {
		path = filepath.Join(root, profile.ConfigFile)
	}
	data, err := fsutil.ReadRegular(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", mapi.Wrap(mapi.DiskError, err, "read config "+path)
	}
	var cfg struct {
		Default string `yaml:"default-profile"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return "", mapi.Wrap(mapi.CorruptData, err, "read config "+path)
	}
	if cfg.Default == "" {
		return "", st.NoProfileError()
	}
	return cfg.Default, profile.CheckName("profile", cfg.Default)
}
