package secure

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"

	"github.com/mapictl/mapictl/internal/mapi"
)

// sshIdentity is an unencrypted SSH private key with its public key text.
type sshIdentity struct {
	age.Identity
	recipient string
}

// lockedSSH caches encrypted SSH identities by SHA-256 of the PEM, so the
// passphrase is asked at most once per key per process.
var lockedSSH sync.Map // [sha256.Size]byte -> *encryptedSSH

// encryptedSSH is a passphrase-protected SSH key: agessh asks for the
// passphrase only when a stanza matches its public key, then caches the key.
type encryptedSSH struct {
	name      string
	recipient string
	inner     *agessh.EncryptedSSHIdentity

	mu      sync.Mutex
	pass    PassphraseFunc
	asked   bool
	passErr error
}

// ssh parses a PEM SSH private key; encrypted keys need their public key,
// from the OpenSSH file itself or NAME.pub.
func (l loader) ssh(name string, pem []byte) (age.Identity, error) {
	id, err := agessh.ParseIdentity(pem)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		return l.encryptedSSH(name, pem, missing.PublicKey)
	}
	if err != nil {
		return nil, mapi.Errorf(mapi.InvalidParameter, "malformed or unsupported SSH identity in %q", name)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		return nil, mapi.Errorf(mapi.InvalidParameter, "malformed SSH identity in %q", name)
	}
	return &sshIdentity{Identity: id, recipient: authorizedKey(signer.PublicKey())}, nil
}

func (l loader) encryptedSSH(name string, pem []byte, pub ssh.PublicKey) (age.Identity, error) {
	key := sha256.Sum256(pem)
	if v, ok := lockedSSH.Load(key); ok {
		e := v.(*encryptedSSH)
		e.mu.Lock()
		e.pass = l.src.Passphrase // the latest Source decides how to ask
		e.mu.Unlock()
		return e, nil
	}
	if pub == nil {
		b, err := os.ReadFile(name + ".pub")
		if err != nil {
			return nil, mapi.Errorf(mapi.InvalidParameter, "cannot find the public key of encrypted SSH key %q", name).
				WithHint(fmt.Sprintf("put it in %q, or convert the key with ssh-keygen -p -m RFC4716", name+".pub"))
		}
		pub, _, _, _, err = ssh.ParseAuthorizedKey(b)
		if err != nil {
			return nil, mapi.Errorf(mapi.InvalidParameter, "malformed SSH public key %q", name+".pub")
		}
	}
	e := &encryptedSSH{name: name, recipient: authorizedKey(pub), pass: l.src.Passphrase}
	inner, err := agessh.NewEncryptedSSHIdentity(pub, pem, e.passphrase)
	if err != nil {
		return nil, mapi.Errorf(mapi.InvalidParameter, "unsupported SSH identity in %q", name)
	}
	e.inner = inner
	v, _ := lockedSSH.LoadOrStore(key, e)
	return v.(*encryptedSSH), nil
}

func (e *encryptedSSH) passphrase() ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.asked = true
	if e.pass == nil {
		e.passErr = mapi.Errorf(mapi.NoAccess, "SSH key %q is encrypted and no passphrase is available", e.name).
			WithHint(hintPassphraseFD)
		return nil, e.passErr
	}
	p, err := e.pass(fmt.Sprintf("Enter passphrase for %q:", e.name))
	if err != nil {
		e.passErr = passphraseError(err, e.name)
	}
	return p, e.passErr
}

// Unwrap implements age.Identity: NoAccess for a wrong or missing passphrase,
// the PassphraseFunc's own *mapi.Error as is.
func (e *encryptedSSH) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	e.mu.Lock()
	e.asked, e.passErr = false, nil
	e.mu.Unlock()
	k, err := e.inner.Unwrap(stanzas)
	if err == nil || errors.Is(err, age.ErrIncorrectIdentity) {
		return k, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.passErr != nil {
		return nil, e.passErr
	}
	if e.asked {
		return nil, mapi.Errorf(mapi.NoAccess, "incorrect passphrase for SSH key %q", e.name)
	}
	return nil, err
}

// authorizedKey is the canonical text of an SSH public key: "type base64".
func authorizedKey(pub ssh.PublicKey) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}
