package secure

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"
	"filippo.io/age/plugin"

	"github.com/mapictl/mapictl/internal/mapi"
)

// identityFileLimit bounds the size of an identity file (as age does).
const identityFileLimit = 16 << 20

// readLimited reads at most limit bytes of path; a longer file is
// InvalidParameter, an I/O failure DiskError, a missing file is returned as
// the raw *fs.PathError so callers can tell it apart.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, err
		}
		return nil, mapi.Wrap(mapi.DiskError, err, fmt.Sprintf("cannot open %q", path))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, fmt.Sprintf("cannot read %q", path))
	}
	if int64(len(b)) > limit {
		return nil, mapi.Errorf(mapi.InvalidParameter, "file %q is too long", path)
	}
	return b, nil
}

// parse turns the contents of one identity file (named name in messages)
// into identities: an age-encrypted file (binary or armored) becomes one lazy
// encrypted identity, a PEM block an SSH identity, anything else lines of
// age identities.
func (l loader) parse(name string, b []byte) ([]age.Identity, error) {
	trimmed := bytes.TrimSpace(b)
	switch {
	case bytes.HasPrefix(b, []byte("age-encryption.org/")) || bytes.HasPrefix(trimmed, []byte(armor.Header)):
		return []age.Identity{l.encrypted(name, b)}, nil
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN")):
		id, err := l.ssh(name, b)
		if err != nil {
			return nil, err
		}
		return []age.Identity{id}, nil
	}
	return parseIdentityLines(name, b)
}

// parseIdentityLines parses an unencrypted identity file: one identity per
// line, '#' comments and blank lines skipped. Errors name the line, never its
// content.
func parseIdentityLines(name string, b []byte) ([]age.Identity, error) {
	var ids []age.Identity
	err := scanKeyLines(name, b, identityFileLimit, func(n int, line string) error {
		id, err := parseIdentity(line)
		if err != nil {
			if strings.HasPrefix(line, "age1") || strings.HasPrefix(line, "ssh-") {
				return mapi.Errorf(mapi.InvalidParameter, "%s: line %d is a recipient, not an identity", name, n)
			}
			return mapi.Errorf(mapi.InvalidParameter, "%s: malformed identity at line %d", name, n)
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, mapi.Errorf(mapi.InvalidParameter, "%s: no identities found", name)
	}
	return ids, nil
}

// parseIdentity parses one identity line: X25519, hybrid or plugin. Its error
// never holds the line.
func parseIdentity(s string) (age.Identity, error) {
	switch {
	case strings.HasPrefix(s, "AGE-PLUGIN-"):
		id, err := plugin.NewIdentity(s, pluginUI())
		if err != nil {
			return nil, fmt.Errorf("malformed plugin identity")
		}
		return id, nil
	case strings.HasPrefix(s, "AGE-SECRET-KEY-PQ-1"):
		id, err := age.ParseHybridIdentity(s)
		if err != nil {
			return nil, fmt.Errorf("malformed post-quantum identity")
		}
		return id, nil
	case strings.HasPrefix(s, "AGE-SECRET-KEY-1"):
		id, err := parseX25519Identity(s)
		if err != nil {
			return nil, fmt.Errorf("malformed X25519 identity")
		}
		return id, nil
	}
	return nil, fmt.Errorf("unknown identity type")
}
