package account

// ForSendmail picks the account a sendmail run sends through, as
// [Resolver.ForSender] does, unless the profile is locked: with no session
// current, when loading the selected profile fails with an error that
// isLocked reports (the store identity's passphrase cannot be asked for,
// secure.PassphraseLocked), it returns no account and the profile's name
// as locked, for the message to be queued for the default transport of the
// next flush that can open it. Errors: those of naming the profile, other
// failures to load it, and ForSender's.
func (r *Resolver) ForSendmail(section, addr string, isLocked func(error) bool) (a *Account, locked string, err error) {
	if r.Session == nil {
		name, err := r.ProfileName()
		if err != nil {
			return nil, "", err
		}
		if _, err := r.Profile(); isLocked(err) {
			return nil, name, nil
		} else if err != nil {
			return nil, "", err
		}
	}
	a, err = r.ForSender(section, addr)
	return a, "", err
}
