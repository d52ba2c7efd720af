package account

import (
	"context"
	"errors"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/mapictl/mapictl/internal/inbound"
	"github.com/mapictl/mapictl/internal/mapi"
)

// WatchOptions steer [Watch] (`spool watch`, SPEC §8).
type WatchOptions struct {
	// Interval is the wait between polls where IMAP IDLE is not offered
	// (POP3 always); 0 is 5 minutes.
	Interval time.Duration
	// LockTimeout is how long to wait for another fetch of an account at
	// the start.
	LockTimeout time.Duration
	// Until, when not zero, is the session's expiry: then Watch ends with
	// MAPI_E_LOGON_FAILED (77).
	Until time.Time
	// Backoff is the wait before the nth reconnection in a row (n from
	// 1); nil is 1 s doubling up to 5 minutes.
	Backoff func(n int) time.Duration
	// Grace bounds the message in hand once ctx ends; 0 is 30 s.
	Grace time.Duration
	// Report, when set, is called after each pass of a section, and after
	// each failure that a reconnection will retry (res zero). It may be
	// called from several goroutines at once (one per section).
	Report func(section string, res inbound.Result, err error)
	// Log and MDAOutput are those of [FetchOptions].
	Log, MDAOutput io.Writer
	// Renew is how long before an OAuth 2.0 access token expires the IDLE
	// of a connection logged on with it ends, for a new logon with a fresh
	// token; 0 is one minute.
	Renew time.Duration
}

// errStopped ends a pass after the message in hand once ctx ended.
var errStopped = errors.New("watch stopped")

// errPoll ends a connection that cannot wait for new mail (POP3, IMAP
// without IDLE): log off, wait the interval, log on again.
var errPoll = errors.New("poll again later")

// errRenew ends a connection whose OAuth 2.0 token is about to expire:
// log off and log on again at once, with a fresh token (neither IMAP nor
// SMTP allows a second AUTHENTICATE on a connection).
var errRenew = errors.New("log on again with a fresh token")

// Watch keeps fetching each of accts (with creds[i]) until ctx ends: it
// holds each server account's lock (inbound.LockAccount, taken in the
// order of their keys, so that two watches never wait on each other) and
// then each section's journal lock (inbound.Hold) throughout, logs on,
// fetches as [Fetch] does, then waits for new mail with IMAP IDLE where
// the server offers it (a wake-up fetches again at once), else logs off
// and polls every o.Interval. A failure that retrying may cure (75: a
// dropped connection, a server that cannot be reached) is reported and
// followed by a new logon after o.Backoff.
//
// An OAuth 2.0 account's IDLE ends o.Renew before its token expires
// (the token supply's Expiry; at the latest halfway through a token that
// lives less than twice that), and the account logs on again on a new
// connection at once, without backoff.
//
// Sections of one server account (two sections, or profiles' copies, on
// one maildrop) share its lock and take turns: one logs on, fetches and
// logs off (or, IMAP, goes into IDLE) before the next logs on.
//
// When ctx ends Watch finishes the message in hand (within o.Grace),
// logs off and returns nil. It returns an error when a section fails for
// good (the first such error, InboundError's; the other sections are
// stopped as ctx would stop them), when a lock cannot be taken, or with
// MAPI_E_LOGON_FAILED (77) when o.Until passes.
func Watch(ctx context.Context, storeRoot string, accts []*Account, creds []Credentials, o WatchOptions) error {
	if o.Interval <= 0 {
		o.Interval = 5 * time.Minute
	}
	if o.Grace <= 0 {
		o.Grace = 30 * time.Second
	}
	if o.Backoff == nil {
		o.Backoff = defaultBackoff
	}
	if o.Renew <= 0 {
		o.Renew = time.Minute
	}
	for _, a := range accts {
		if err := a.checkInbound(); err != nil {
			return err
		}
	}
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	if !o.Until.IsZero() {
		var c2 context.CancelFunc
		stop, c2 = context.WithDeadline(stop, o.Until)
		defer c2()
	}
	// work runs the fetch: it outlives stop by o.Grace, so the message in
	// hand is finished rather than cut.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	defer context.AfterFunc(stop, func() { time.AfterFunc(o.Grace, cancelWork) })()

	turns, release, err := lockAccounts(stop, storeRoot, accts, creds, o.LockTimeout)
	defer release()
	if err != nil {
		return err
	}
	held := make([]*inbound.Held, len(accts))
	defer func() {
		for _, h := range held {
			h.Release()
		}
	}()
	for i, a := range accts {
		h, err := inbound.Hold(stop, storeRoot, a.InboundAccount(creds[i]), o.LockTimeout)
		if err != nil {
			return a.inboundError(err)
		}
		held[i] = h
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for i, a := range accts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &watcher{o: o, a: a, creds: creds[i], held: held[i], turn: turns[i], stop: stop, work: work}
			if err := w.run(); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
				cancel()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	if ctx.Err() == nil && stop.Err() != nil {
		return mapi.Errorf(mapi.LogonFailed, "the session expired at %s", o.Until.UTC().Format(time.RFC3339)).
			WithHint("log on again with 'mapictl session logon', then restart the watch")
	}
	return nil
}

func defaultBackoff(n int) time.Duration {
	d := time.Second
	for ; n > 1 && d < 5*time.Minute; n-- {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

// watcher is one section of a Watch.
type watcher struct {
	o          WatchOptions
	a          *Account
	creds      Credentials
	held       *inbound.Held
	turn       *sync.Mutex // shared by the sections of one server account
	stop, work context.Context
}

// run logs on again and again until stop ends (nil) or a failure that
// retrying will not cure (its error).
func (w *watcher) run() error {
	fails := 0
	for w.stop.Err() == nil {
		w.turn.Lock()
		if w.stop.Err() != nil {
			w.turn.Unlock()
			return nil
		}
		src, err := DialInbound(w.stop, w.a, w.creds, w.o.Log)
		renew := false
		if err == nil {
			err = w.session(src, &fails)
			renew = errors.Is(err, errRenew)
			if cerr := src.Close(); errors.Is(err, errPoll) || renew {
				err = cerr // polled or renewing: nil unless the logoff failed
			}
		}
		w.turn.Unlock() // after the logoff: the next session of the maildrop logs on after it
		switch {
		case w.stop.Err() != nil:
			return nil
		case err == nil && renew:
			// The token is about to expire: a new logon at once.
			fails = 0
			continue
		case err == nil:
			// Polled: log on again after the interval.
			fails = 0
			if !w.sleep(w.o.Interval) {
				return nil
			}
			continue
		}
		err = w.a.inboundError(err)
		if mapi.AsError(err).ExitStatus() != mapi.ExitQueued {
			return err
		}
		fails++
		w.report(inbound.Result{}, err)
		if !w.sleep(w.o.Backoff(fails)) {
			return nil
		}
	}
	return nil
}

// session fetches over one connection: a pass, then IDLE and another pass
// for as long as the server allows; errPoll when it cannot wait. It is
// called, and returns, holding w.turn, which it lets go during IDLE.
func (w *watcher) session(src inbound.Source, fails *int) error {
	for {
		res, err := w.held.Fetch(w.work, stopSource{src, w.stop}, w.a.InboundOptions(FetchOptions{MDAOutput: w.o.MDAOutput}))
		if errors.Is(err, errStopped) || err != nil && w.stop.Err() != nil {
			w.report(res, nil)
			return nil
		}
		if err != nil {
			return err
		}
		*fails = 0
		w.report(res, nil)
		idler, ok := src.(Idler)
		if !ok || !idler.CanIdle() {
			return errPoll
		}
		idle, cancel := w.idleContext()
		w.turn.Unlock() // an IMAP session in IDLE holds no listing: another section may fetch
		err = idler.Idle(idle)
		w.turn.Lock()
		cancel()
		if err != nil {
			switch {
			case w.stop.Err() != nil:
				return nil
			case idle.Err() != nil:
				return errRenew
			}
			return err
		}
	}
}

// tokenExpiry is what an OAuth 2.0 token supply adds to
// transport.TokenSource (tokenSupply, oauth.Source).
type tokenExpiry interface {
	Expiry(ctx context.Context) (time.Time, error)
}

// idleContext is the context of one IDLE: w.stop, ended o.Renew before
// the OAuth 2.0 token of the connection expires (at the latest halfway
// through its remaining life), when the account has one whose expiry is
// known.
func (w *watcher) idleContext() (context.Context, context.CancelFunc) {
	te, ok := w.creds.OAuth2.(tokenExpiry)
	if !ok {
		return context.WithCancel(w.stop)
	}
	exp, err := te.Expiry(w.stop)
	if err != nil || exp.IsZero() {
		return context.WithCancel(w.stop)
	}
	now := time.Now()
	at := exp.Add(-w.o.Renew)
	if half := now.Add(exp.Sub(now) / 2); at.Before(half) {
		at = half
	}
	return context.WithDeadline(w.stop, at)
}

func (w *watcher) report(res inbound.Result, err error) {
	if w.o.Report != nil {
		w.o.Report(w.a.Name, res, err)
	}
}

// sleep waits d; false when stop ended first.
func (w *watcher) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-w.stop.Done():
		return false
	}
}

// stopSource is a Source whose Fetch ends after the message in hand once
// stop ended (errStopped), so that a signal never cuts a message.
type stopSource struct {
	inbound.Source
	stop context.Context
}

func (s stopSource) Fetch(ctx context.Context, ids []string, deliver func(string, io.Reader) error) error {
	return s.Source.Fetch(ctx, ids, func(id string, r io.Reader) error {
		if err := deliver(id, r); err != nil {
			return err
		}
		if s.stop.Err() != nil {
			return errStopped
		}
		return nil
	})
}

// lockAccounts takes the account lock of each distinct server account of
// accts (inbound.LockAccount), in the order of their keys, and returns
// each section's turn (one mutex per account) and the function that lets
// the locks go (to be called whatever the error). Errors: InboundError's
// of the first lock not free within timeout (MAPI_E_BUSY, 75).
func lockAccounts(ctx context.Context, storeRoot string, accts []*Account, creds []Credentials, timeout time.Duration) ([]*sync.Mutex, func(), error) {
	turns := make([]*sync.Mutex, len(accts))
	byKey := map[string]*sync.Mutex{}
	first := map[string]int{} // key -> index of its first section
	for i, a := range accts {
		k := inbound.AccountKey(a.InboundAccount(creds[i]))
		if byKey[k] == nil {
			byKey[k] = new(sync.Mutex)
			first[k] = i
		}
		turns[i] = byKey[k]
	}
	keys := slices.Sorted(maps.Keys(first))
	var locks []*inbound.AccountLock
	release := func() {
		for _, l := range slices.Backward(locks) {
			l.Release()
		}
	}
	for _, k := range keys {
		i := first[k]
		l, err := inbound.LockAccount(ctx, storeRoot, accts[i].InboundAccount(creds[i]), timeout)
		if err != nil {
			return nil, release, accts[i].inboundError(err)
		}
		locks = append(locks, l)
	}
	return turns, release, nil
}
