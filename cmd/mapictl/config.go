package main

import (
	"errors"
	"io/fs"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
)

// setConfigValue writes key: value into config.yaml (atomically, 0600),
// keeping every other key; an empty value removes the key.
func (f *factory) setConfigValue(key, value string) error {
	path := f.ConfigPath()
	doc := map[string]any{}
	data, err := fsutil.ReadRegular(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return mapi.Wrap(mapi.DiskError, err, "read config")
	default:
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return mapi.Wrap(mapi.CorruptData, err, "config "+path+" is not valid YAML")
		}
		if doc == nil {
			doc = map[string]any{}
		}
	}
	if value == "" {
		delete(doc, key)
	} else {
		doc[key] = value
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return mapi.Wrap(mapi.CallFailed, err, "encode config")
	}
	if err := fsutil.MkdirPrivate(filepath.Dir(path)); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "create config directory")
	}
	if err := fsutil.WriteFileAtomic(path, out); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "write config")
	}
	f.v.Set(key, value)
	return nil
}

// defaultProfile is default-profile from config.yaml, or "".
func (f *factory) defaultProfile() string { return f.v.GetString("default-profile") }
