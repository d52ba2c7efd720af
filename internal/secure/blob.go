package secure

import (
	"bytes"
	"io"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/mapictl/mapictl/internal/mapi"
)

// MaxPlaintext is the largest plaintext [Decrypt] returns (64 MiB).
const MaxPlaintext = 64 << 20

// parseRecipients parses rs for encryption. Errors: InvalidParameter for none,
// a malformed one, or a post-quantum/classic mix ([CheckMix]).
func parseRecipients(rs []string) ([]age.Recipient, error) {
	if len(rs) == 0 {
		return nil, mapi.Errorf(mapi.InvalidParameter, "no recipients to encrypt to")
	}
	if err := CheckMix(rs); err != nil {
		return nil, err
	}
	out := make([]age.Recipient, 0, len(rs))
	for _, s := range rs {
		r, err := ParseRecipient(s)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// encryptTo writes the age encryption of plain to w.
func encryptTo(w io.Writer, plain []byte, rs []age.Recipient) error {
	ew, err := age.Encrypt(w, rs...)
	if err != nil {
		// Incompatible labels (e.g. a plugin that is post-quantum) or a
		// plugin failure: the recipients are at fault.
		return mapi.Wrap(mapi.InvalidParameter, err, "cannot encrypt")
	}
	if _, err := ew.Write(plain); err != nil {
		return mapi.Wrap(mapi.CallFailed, err, "cannot encrypt")
	}
	if err := ew.Close(); err != nil {
		return mapi.Wrap(mapi.CallFailed, err, "cannot encrypt")
	}
	return nil
}

// Encrypt returns plain encrypted to recipients as a binary age file.
// Errors: InvalidParameter for no, malformed or mixed recipients.
func Encrypt(plain []byte, recipients []string) ([]byte, error) {
	rs, err := parseRecipients(recipients)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := encryptTo(&buf, plain, rs); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// EncryptArmored is [Encrypt] with ASCII armor: the result starts with
// "-----BEGIN AGE ENCRYPTED FILE-----" and ends with a newline.
func EncryptArmored(plain []byte, recipients []string) (string, error) {
	rs, err := parseRecipients(recipients)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	if err := encryptTo(aw, plain, rs); err != nil {
		return "", err
	}
	if err := aw.Close(); err != nil {
		return "", mapi.Wrap(mapi.CallFailed, err, "cannot encrypt")
	}
	return buf.String(), nil
}

// Decrypt decrypts a binary age file with ids. Errors: NoAccess when no
// identity matches (or a wrong passphrase for an encrypted identity), the
// PassphraseFunc's own *mapi.Error (e.g. UserCancel), CorruptData for data
// that is not age, fails to authenticate, or decrypts to more than
// [MaxPlaintext] bytes. It never panics on any input.
func Decrypt(ct []byte, ids []age.Identity) ([]byte, error) {
	return decrypt(ct, ids, "file")
}

// DecryptArmored is [Decrypt] for an armored age file (surrounding white
// space allowed). Errors as Decrypt; broken armor is CorruptData.
func DecryptArmored(s string, ids []age.Identity) ([]byte, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, armor.Header) {
		return nil, mapi.Errorf(mapi.CorruptData, "not an armored age file")
	}
	ct, err := io.ReadAll(armor.NewReader(strings.NewReader(s)))
	if err != nil {
		return nil, decryptError(err, "armored file")
	}
	return decrypt(ct, ids, "armored file")
}

// decrypt decrypts an age file held in memory, as DecryptAhead does: age
// learns the plaintext's size (and authenticates the last chunk) first, and
// the plaintext is read once into a buffer of its size; a one-chunk file, as
// secure ranges and most profiles are, costs no more than one 64 KiB chunk
// buffer, where age's streaming reader holds two (docs/performance.md).
func decrypt(ct []byte, ids []age.Identity, what string) ([]byte, error) {
	pt, err := decryptAhead(bytes.NewReader(ct), int64(len(ct)), ids, what)
	if err != nil {
		return nil, err
	}
	return pt.All()
}

// chunkSize is the plaintext size of an age payload chunk.
const chunkSize = 64 << 10

// readAt is ra.ReadAt(p, off), where io.EOF after a full read is success.
func readAt(ra io.ReaderAt, p []byte, off int64) error {
	n, err := ra.ReadAt(p, off)
	if n == len(p) && err == io.EOF {
		err = nil
	}
	return err
}
