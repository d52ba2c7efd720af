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
// (secure.PassphraseLocked: a passphrase-protected identity under cron):
// the target then names the profile only, and the message is queued for
// the default transport of the next flush that can open it.
func (f *factory) sendmailTarget(section, addr string) (t *delivery.Target, locked bool, err error) {
	snap, err := f.currentSession()
	if err != nil {
		return nil, false, err
	}
	r := f.accounts(snap)
	if snap == nil {
		pname, err := f.ProfileName()
		if err != nil {
			return nil, false, err
		}
		_, err = r.Profile()
		if secure.PassphraseLocked(err, filepath.Join(f.StoreDir(), profile.IdentityFile), f.identityFlag, os.Getenv) {
			return &delivery.Target{Profile: pname}, true, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
	a, err := r.ForSender(section, addr)
	if err != nil {
		return nil, false, err
	}
	return targetOf(r, a), false, nil
}
