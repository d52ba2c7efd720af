package profile

import (
	"errors"
	"io/fs"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
)

// SetConfigValue writes key: value into the YAML config file at path
// (config.yaml: [ConfigFile]), keeping every other key, atomically and
// private (creating its directory if need be); an empty value removes the
// key. A missing file starts empty. Errors: MAPI_E_DISK_ERROR for I/O,
// MAPI_E_CORRUPT_DATA for a file that is not YAML (left as it is).
func SetConfigValue(path, key, value string) error {
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
	return nil
}
