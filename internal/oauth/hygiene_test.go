package oauth

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestNoSecretInErrors runs the failure paths against a provider that
// quotes what it was sent (tokens, code, verifier, client secret, device
// code) in its error descriptions and error pages, and checks that no
// error text or hint holds any of them.
func TestNoSecretInErrors(t *testing.T) {
	t.Parallel()
	const secret = "CLIENT-SECRET-0123456789"
	var errs []error
	var all []string
	collect := func(f *fake, err error) {
		if err == nil {
			t.Errorf("no error")
			return
		}
		errs = append(errs, err)
		all = append(all, f.secrets()...)
	}

	for _, mode := range []string{"echo", "html", "html200", "junk", "invalid_client", "invalid_grant", "down", "noaccess", "server_error"} {
		f := newFake(t)
		f.set(mode)
		s := source(t, f, newKey(t))
		s.Settings.ClientSecret = secret
		at, rt := f.grant()
		save(t, s, at, rt, time.Now().Add(-time.Minute))
		_, err := s.Token(context.Background())
		collect(f, err)
		_, err = s.Refresh(context.Background(), at)
		collect(f, err)
	}

	// A seed the provider refuses, quoting it.
	fs := newFake(t)
	fs.set("echo")
	ss := source(t, fs, newKey(t))
	ss.Settings.ClientSecret = secret
	ss.Seed = Seed{RefreshToken: "RT-SEED-0123456789", AccessToken: "AT-SEED-0123456789"}
	_, err := ss.Token(context.Background())
	collect(fs, err)
	all = append(all, ss.Seed.RefreshToken, ss.Seed.AccessToken)

	// The code exchange of the browser dialog, and the device dialog's poll.
	f := newFake(t)
	s := f.settings()
	s.ClientSecret = secret
	e := endpoints(t, s)
	f.set("echo")
	_, err = Browser(context.Background(), s, e, nil, func(u string) { go browse(t, u) })
	collect(f, err)
	f2 := newFake(t)
	s2 := f2.settings()
	e2 := endpoints(t, s2)
	_, err = Device(context.Background(), s2, e2, nil, func(DeviceCode) { f2.set("echo") })
	collect(f2, err)

	all = append(all, secret)
	if len(all) < 20 {
		t.Fatalf("only %d secrets seen: the failure paths did not run", len(all))
	}
	for _, err := range errs {
		msg := text(err)
		for _, x := range all {
			if strings.Contains(msg, x) {
				t.Errorf("error %q holds the secret %q", msg, x)
			}
		}
	}
}
