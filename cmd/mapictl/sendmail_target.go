package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/sendmail"
)

// sendmailTarget picks the transport section as msmtp picks an account:
// --section NAME; else the section (of the session in MAPICTL_SESSION,
// else of the profile) whose email is addr (the envelope sender, else the
// From address); else the default outbound one. locked is true when no
// session is current and the profile cannot be opened without a prompt
// (a passphrase-protected identity under cron): the target then names the
// profile only, and the message is queued for the default transport of
// the next flush that can open it.
func (f *factory) sendmailTarget(section, addr string) (t *sendTarget, locked bool, err error) {
	snap, err := f.currentSession()
	if err != nil {
		return nil, false, err
	}
	if snap != nil {
		if section == "" && addr != "" {
			for _, s := range snap.Sections {
				if strings.EqualFold(s.Address, addr) {
					section = s.Settings.Section
					break
				}
			}
		}
		t, err := f.sendTarget(section)
		return t, false, err
	}
	pname, err := f.ProfileName()
	if err != nil {
		return nil, false, err
	}
	p, err := f.LoadProfile(pname)
	if f.passphraseLocked(err) {
		return &sendTarget{Profile: pname}, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	if section == "" {
		section = sendmail.SectionByEmail(p, addr)
	}
	t, err = f.sendTarget(section)
	return t, false, err
}

// passphraseLocked reports whether err (from loading the profile) is the
// store identity's passphrase that cannot be asked for (no terminal:
// MAPI_E_UNCONFIGURED from factory.passphrase; MAPI_E_NO_ACCESS as before),
// no MAPICTL_PASSPHRASE_FD and no other identity given, and the store's
// identity file is passphrase-encrypted.
func (f *factory) passphraseLocked(err error) bool {
	if !(mapi.IsCode(err, mapi.Unconfigured) || mapi.IsCode(err, mapi.NoAccess)) || os.Getenv("MAPICTL_PASSPHRASE_FD") != "" ||
		os.Getenv("MAPICTL_IDENTITY") != "" || os.Getenv("MAPICTL_IDENTITY_FILE") != "" || len(f.identityFlag) > 0 {
		return false
	}
	b, rerr := os.ReadFile(filepath.Join(f.StoreDir(), profile.IdentityFile))
	return rerr == nil && (bytes.Contains(b, []byte("BEGIN AGE ENCRYPTED FILE")) ||
		bytes.HasPrefix(b, []byte("age-encryption.org/v1")))
}
