package delivery

import (
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/spool"
)

// Keys says who the outbox of the store at StoreDir is sealed to and opened
// by. Identities loads the store's identities (the --identity files,
// $MAPICTL_IDENTITY or identity.txt, perhaps asking for a passphrase); it
// is called only when nothing else serves, and its result is not cached
// here. Now is the clock sessions are judged live by (nil: time.Now).
type Keys struct {
	StoreDir   string
	Identities func() ([]age.Identity, error)
	Now        func() time.Time
}

func (k Keys) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

// Sealer encrypts spool payloads to a fixed list of age recipients; it is a
// spool.Sealer.
type Sealer []string

// Seal encrypts plain to every recipient of s.
func (s Sealer) Seal(plain []byte) ([]byte, error) { return secure.Encrypt(plain, s) }

var _ spool.Sealer = Sealer(nil)

// Recipients returns who queued messages are sealed to: the store's
// identity.pub (so queueing needs no unlock), else the recipients of the
// identities in use; under a session snap, also the session's
// SpoolRecipients, and then the store's identities are never loaded (the
// session's recipients are enough when identity.pub is missing). An
// identity.pub that exists but does not parse is an error; duplicates are
// dropped, the first kept.
func (k Keys) Recipients(snap *session.Snapshot) (Sealer, error) {
	var rs []string
	if snap != nil {
		rs = append(rs, snap.SpoolRecipients...)
	}
	pub := filepath.Join(k.StoreDir, profile.RecipientFile)
	switch got, err := secure.ParseRecipientsFile(pub); {
	case err == nil:
		rs = append(rs, got...)
	case snap != nil && len(rs) > 0:
		// The session's recipients are enough.
	default:
		if _, serr := os.Stat(pub); serr == nil {
			return nil, err
		}
		ids, err := k.Identities()
		if err != nil {
			return nil, err
		}
		got, err := secure.RecipientsOf(ids)
		if err != nil {
			return nil, err
		}
		rs = append(rs, got...)
	}
	return Sealer(dedupe(rs)), nil
}

// Opener returns the opener of spool payloads under session snap (nil for
// none): the session's own identities first (its key and the profile
// identity it carries), then, when they do not open the payload
// (MAPI_E_NO_ACCESS), the store identities, loaded only then. When those
// cannot be loaded either, the session's refusal is returned.
func (k Keys) Opener(snap *session.Snapshot) spool.Opener {
	return opener{k, snap}
}

type opener struct {
	k    Keys
	snap *session.Snapshot
}

func (o opener) Open(ct []byte) ([]byte, error) {
	var first error
	if o.snap != nil {
		if ids := o.snap.Identities(); len(ids) > 0 {
			pt, err := secure.Decrypt(ct, ids)
			if err == nil || !mapi.IsCode(err, mapi.NoAccess) {
				return pt, err
			}
			first = err
		}
	}
	ids, err := o.k.Identities()
	if err != nil {
		if first != nil {
			return nil, first
		}
		return nil, err
	}
	return secure.Decrypt(ct, ids)
}

// SessionOpener opens spool payloads with session snap's own identities
// only (its key, and the identity its snapshot carries): it never loads the
// store's identity, so logoff needs neither it nor a passphrase. With
// neither, every Open is MAPI_E_NO_ACCESS.
func SessionOpener(snap *session.Snapshot) spool.Opener { return sessionOpener{snap} }

type sessionOpener struct{ snap *session.Snapshot }

func (o sessionOpener) Open(ct []byte) ([]byte, error) {
	ids := o.snap.Identities()
	if len(ids) == 0 {
		return nil, mapi.Errorf(mapi.NoAccess, "the session has no key")
	}
	return secure.Decrypt(ct, ids)
}

// dedupe drops repeated strings, keeping the first of each in order.
func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
