package main

import "github.com/mapictl/mapictl/internal/profile"

// setConfigValue writes key: value into config.yaml (profile.SetConfigValue:
// atomically, 0600, keeping every other key; an empty value removes the
// key) and into this run's configuration.
func (f *factory) setConfigValue(key, value string) error {
	if err := profile.SetConfigValue(f.ConfigPath(), key, value); err != nil {
		return err
	}
	f.v.Set(key, value)
	return nil
}

// defaultProfile is default-profile from config.yaml, or "".
func (f *factory) defaultProfile() string { return f.v.GetString("default-profile") }
