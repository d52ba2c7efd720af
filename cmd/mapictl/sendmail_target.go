package main

import (
	"os"
	"path/filepath"

	"github.com/mapictl/mapictl/internal/delivery"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

// sendmailTarget picks the transport section as msmtp picks an account:
// --section NAME; else the section (of the session in MAPICTL_SESSION,
// else of the profile) whose email is addr (the envelope sender, else the
// From address); else the default outbound one. locked is true when no
// session is current and the profile cannot be opened without a prompt
// (account.Resolver.ForSendmail, secure.PassphraseLocked: a
// passphrase-protected identity under cron):
// the target then names the profile only, and the message is queued for
// the default transport of the next flush that can open it.
func (f *factory) sendmailTarget(section, addr string) (t *delivery.Target, locked bool, err error) {
	snap, err := f.currentSession()
	if err != nil {
		return nil, false, err
	}
	r := f.accounts(snap)
	a, pname, err := r.ForSendmail(section, addr, func(err error) bool {
		return secure.PassphraseLocked(err, filepath.Join(f.StoreDir(), profile.IdentityFile), f.identityFlag, os.Getenv)
	})
	switch {
	case err != nil:
		return nil, false, err
	case pname != "":
		return &delivery.Target{Profile: pname}, true, nil
	}
	return r.Target(a), false, nil
}
