package account

import (
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

// ForSendmail: a locked profile gives its name and no account; other
// failures stay errors; an open profile or a session picks as ForSender.
func TestForSendmail(t *testing.T) {
	fx := newFixture(t)
	var built []builtTransport
	lockedErr := mapi.Errorf(mapi.Unconfigured, "passphrase needed")
	isLocked := func(err error) bool { return err == lockedErr }

	r := fx.resolver(nil, &built)
	r.LoadProfile = func(string) (*profile.Profile, error) { return nil, lockedErr }
	if a, locked, err := r.ForSendmail("", "mx@example.com", isLocked); a != nil || locked != "work" || err != nil {
		t.Fatalf("locked: %v %q %v", a, locked, err)
	}

	other := mapi.Errorf(mapi.CorruptData, "bad")
	r.LoadProfile = func(string) (*profile.Profile, error) { return nil, other }
	if _, locked, err := r.ForSendmail("", "", isLocked); err != other || locked != "" {
		t.Fatalf("other failure: %q %v", locked, err)
	}

	r = fx.resolver(nil, &built)
	r.ProfileName = func() (string, error) { return "", lockedErr }
	if _, locked, err := r.ForSendmail("", "", isLocked); err != lockedErr || locked != "" {
		t.Fatalf("no profile name: %q %v", locked, err)
	}

	r = fx.resolver(nil, &built)
	if a, locked, err := r.ForSendmail("", "MX@example.com", isLocked); err != nil || locked != "" || a.Name != "mx" {
		t.Fatalf("by sender: %v %q %v", a, locked, err)
	}
	r = fx.resolver(fx.snap, &built)
	r.LoadProfile = nil // a session never loads the profile
	if a, _, err := r.ForSendmail("box", "", isLocked); err != nil || a.Name != "box" || a.Session != "sess" {
		t.Fatalf("session: %v %v", a, err)
	}
}
