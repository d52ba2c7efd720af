package profile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// Who may change a profile (SPEC §5). A document is signed by appending
// one last member to its top-level object:
//
//	{...the document...,"signature":"<base64 Ed25519 signature>"}
//
// The signed bytes are the document without that member: everything up to
// the ',' before it, and the closing '}'. A signature anywhere else is no
// signature. The Ed25519 message is a context string and the SHA-256 of
// the signed bytes; that digest is also what a pin records.
//
// Every store pins each profile by uid in trust/<uid>.json: the public key
// it verifies with, and the highest version and its digest it verified. A
// copy of the last verified file is kept beside it, trust/<uid>.age, so
// that `profile accept` can show what changed since.

// TrustDir is <root>/trust.
func (s *Store) TrustDir() string { return filepath.Join(s.Root, "trust") }

// Pin is what a store has verified of one profile.
type Pin struct {
	Key     string `json:"key"`     // signing public key, base64
	Version int64  `json:"version"` // highest version verified
	Digest  string `json:"digest"`  // SHA-256 (hex) of that version's signed bytes
}

// Trust is how this store judged a profile document when it was read.
type Trust struct {
	// Verified: signed under the pinned key, and newer than the pin or the
	// very version it records.
	Verified bool
	// Reason says why a document is unconfirmed ("" when verified).
	Reason string
	// Signed: the document's signature verifies under the key it claims
	// (which proves nothing about who wrote it).
	Signed bool
	// Rotated: signed under a key the pinned one endorsed, through the
	// document's rotations (an owner's rotation, still to be accepted).
	Rotated bool
	// Digest is the SHA-256 of the signed bytes (of the whole document
	// when it carries no signature).
	Digest [sha256.Size]byte
	// Pin is this store's pin of the profile, nil when there is none.
	Pin *Pin
}

// Unconfirmed returns the error every command but show, list, accept and
// delete gives for an unconfirmed profile (MAPI_E_NO_ACCESS, 77).
func (t *Trust) unconfirmed(name string) error {
	return mapi.Errorf(mapi.NoAccess, "profile %q is unconfirmed: %s", name, t.Reason).
		WithHint("review it with 'mapictl profile accept " + textsafe.ShellArg(name) + "'")
}

const sigMember = `,"signature":"`

// sigTail bounds how far from the end the signature member is looked for:
// the member and an Ed25519 signature in base64 (88 characters). Every
// read judges the document, and a search of a whole large profile from its
// end cost as much as its hash.
const sigTail = len(sigMember) + 88

// locateSignature finds the signature member that ends doc: the index of
// its ',' and the signature, or ok false when doc does not end in one.
func locateSignature(doc []byte) (i int, sig string, ok bool) {
	end := bytes.TrimRight(doc, "\n")
	if !bytes.HasSuffix(end, []byte(`"}`)) {
		return 0, "", false
	}
	end = end[:len(end)-2]
	from := max(0, len(end)-sigTail)
	j := bytes.LastIndex(end[from:], []byte(sigMember))
	if j < 0 {
		return 0, "", false
	}
	i = from + j
	sig = string(end[i+len(sigMember):])
	for _, c := range []byte(sig) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return 0, "", false
		}
	}
	return i, sig, true
}

// splitSigned returns the signed bytes of doc (a copy) and its signature,
// or ok false when doc does not end in a signature member.
func splitSigned(doc []byte) (body []byte, sig string, ok bool) {
	i, sig, ok := locateSignature(doc)
	if !ok {
		return nil, "", false
	}
	body = make([]byte, 0, i+2)
	body = append(append(body, doc[:i]...), "}\n"...)
	return body, sig, true
}

// signedDigest is the SHA-256 of doc's signed bytes (of doc itself when it
// is not signed) and its signature, without copying doc.
func signedDigest(doc []byte) (digest [sha256.Size]byte, sig string, ok bool) {
	i, sig, ok := locateSignature(doc)
	if !ok {
		return sha256.Sum256(doc), "", false
	}
	h := sha256.New()
	h.Write(doc[:i])
	h.Write([]byte("}\n"))
	h.Sum(digest[:0])
	return digest, sig, true
}

// signDocument returns body (a document as Marshal writes it) with the
// signature member appended, and the digest it signed.
func signDocument(body []byte, key *secure.SigningKey) ([]byte, [sha256.Size]byte) {
	digest := sha256.Sum256(body)
	end := bytes.TrimRight(body, "\n")
	out := make([]byte, 0, len(body)+120)
	out = append(out, end[:len(end)-1]...) // without the closing '}'
	out = append(out, sigMember...)
	out = append(out, key.Sign(digest)...)
	out = append(out, "\"}\n"...)
	return out, digest
}

// judge decides whether doc, the plaintext of profile p, is verified by
// this store's pin. It reads the pin; a newer verified version advances
// it, and ct (the file as read) becomes the last verified copy.
// Without advance, the pin is left as it is.
func (s *Store) judge(p *Profile, doc []byte, ct io.ReaderAt, size int64, advance bool) *Trust {
	t := &Trust{}
	var sig string
	var signed bool
	t.Digest, sig, signed = signedDigest(doc)
	if p.Signing != nil && signed {
		t.Signed = secure.VerifySignature(p.Signing.Key, sig, t.Digest)
	}
	pin, err := s.Pin(p.UID)
	t.Pin = pin
	switch {
	case err != nil:
		t.Reason = "this store's pin of it cannot be read (" + mapi.AsError(err).Msg + ")"
	case (p.Signing == nil || !signed) && pin != nil:
		t.Reason = fmt.Sprintf("it is not signed, though this store verified version %d of it: its signature was removed", pin.Version)
	case p.Signing == nil || !signed:
		t.Reason = "it is not signed (written before profiles had owners, or by someone who is not an owner)"
	case pin == nil:
		t.Reason = "this store has not accepted it yet (signing key " + secure.Fingerprint(p.Signing.Key) + ")"
	case !secure.VerifySignature(pin.Key, sig, t.Digest):
		if t.Signed && p.Signing.rotatedFrom(p.UID, pin.Key) {
			t.Rotated = true
			t.Reason = "an owner rotated its signing key from the pinned " + secure.Fingerprint(pin.Key) +
				" to " + secure.Fingerprint(p.Signing.Key)
		} else if t.Signed {
			t.Reason = "it is signed with another key (" + secure.Fingerprint(p.Signing.Key) +
				") than the one this store pinned (" + secure.Fingerprint(pin.Key) + ")"
		} else {
			t.Reason = "its signature does not verify"
		}
	case p.Version < pin.Version:
		t.Reason = fmt.Sprintf("it is version %d, older than version %d that this store verified (a rollback?)", p.Version, pin.Version)
	case p.Version == pin.Version && hex.EncodeToString(t.Digest[:]) != pin.Digest:
		t.Reason = fmt.Sprintf("it is version %d with other content than the version %d this store verified", p.Version, pin.Version)
	default:
		t.Verified = true
		if p.Version > pin.Version && advance {
			next := &Pin{Key: pin.Key, Version: p.Version, Digest: hex.EncodeToString(t.Digest[:])}
			if err := s.advancePin(p.UID, next, func() ([]byte, error) {
				b := make([]byte, size)
				_, err := ct.ReadAt(b, 0)
				if err == io.EOF {
					err = nil
				}
				return b, err
			}); err != nil {
				s.warnf("could not record version %d of profile %q as verified: %v", p.Version, p.Name, err)
			} else {
				t.Pin = next
			}
		}
	}
	return t
}

// Pin returns this store's pin of the profile with uid, or nil when it has
// none. Errors: MAPI_E_CORRUPT_DATA for a pin file that does not parse,
// MAPI_E_DISK_ERROR when it cannot be read.
func (s *Store) Pin(uid string) (*Pin, error) {
	if !validUID(uid) {
		return nil, mapi.Errorf(mapi.CorruptData, "malformed profile uid")
	}
	b, err := fsutil.ReadRegular(s.pinPath(uid))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, diskErr(err, "read pin")
	}
	var pin Pin
	if err := json.Unmarshal(b, &pin); err != nil || !secure.ValidSigningPublic(pin.Key) || pin.Version < 0 {
		return nil, mapi.Errorf(mapi.CorruptData, "pin file %s is corrupt", s.pinPath(uid))
	}
	return &pin, nil
}

func (s *Store) pinPath(uid string) string { return filepath.Join(s.TrustDir(), uid+".json") }

// LastVerified returns the file of the last version of profile uid this
// store verified (nil when it kept none).
func (s *Store) LastVerified(uid string) []byte {
	if !validUID(uid) {
		return nil
	}
	b, err := fsutil.ReadRegular(filepath.Join(s.TrustDir(), uid+".age"))
	if err != nil {
		return nil
	}
	return b
}

// setPin records pin for profile uid and ct as its last verified file,
// under trust/'s lock for uid.
func (s *Store) setPin(uid string, pin *Pin, ct []byte) error {
	return s.withTrustLock(uid, func() error { return s.writePin(uid, pin, ct) })
}

// advancePin records next unless the pin already records a version at
// least as high (another process verified it meanwhile).
func (s *Store) advancePin(uid string, next *Pin, ct func() ([]byte, error)) error {
	return s.withTrustLock(uid, func() error {
		cur, err := s.Pin(uid)
		if err != nil {
			return err
		}
		if cur == nil || cur.Key != next.Key || cur.Version >= next.Version {
			return nil
		}
		b, err := ct()
		if err != nil {
			return err
		}
		return s.writePin(uid, next, b)
	})
}

func (s *Store) writePin(uid string, pin *Pin, ct []byte) error {
	if ct != nil {
		if err := fsutil.WriteFileAtomic(filepath.Join(s.TrustDir(), uid+".age"), ct); err != nil {
			return diskErr(err, "write last verified copy")
		}
	}
	b, _ := json.Marshal(pin)
	if err := fsutil.WriteFileAtomic(s.pinPath(uid), append(b, '\n')); err != nil {
		return diskErr(err, "write pin")
	}
	return nil
}

func (s *Store) withTrustLock(uid string, fn func() error) error {
	if err := fsutil.MkdirPrivate(s.TrustDir()); err != nil {
		return diskErr(err, "create trust directory")
	}
	fl := flock.New(filepath.Join(s.TrustDir(), uid+".lock"), flock.SetPermissions(fsutil.FileMode))
	ok, err := s.tryLock(fl)
	if !ok {
		if err := s.lockCancelled("the pin of profile " + uid); err != nil {
			return err
		}
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			return mapi.Errorf(mapi.Busy, "the pin of profile %s is locked", uid)
		}
		return diskErr(err, "lock pin")
	}
	defer fl.Unlock()
	return fn()
}

func (s *Store) warnf(format string, args ...any) {
	if s.Warnf != nil {
		s.Warnf(format, args...)
	}
}

// removePin forgets profile uid (its pin and last verified copy).
func (s *Store) removePin(uid string) {
	_ = os.Remove(s.pinPath(uid))
	_ = os.Remove(filepath.Join(s.TrustDir(), uid+".age"))
}
