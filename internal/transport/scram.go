package transport

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/secure/precis"
)

// scramError is a failure of the SCRAM exchange detected by the client
// (malformed server message, server signature mismatch). It never contains
// the password or a derived key.
type scramError struct{ msg string }

func (e *scramError) Error() string { return "scram-sha-256: " + e.msg }

// maxSCRAMIterations bounds the PBKDF2 work a server can make us do.
const maxSCRAMIterations = 1 << 22

// scramClient is a SCRAM-SHA-256 client (RFC 5802, RFC 7677) without
// channel binding, implementing sasl.Client.
type scramClient struct {
	user, pass string
	nonce      string // client nonce
	bare       string // client-first-message-bare
	serverSig  []byte // expected ServerSignature
	step       int
}

func newSCRAMClient(user, pass string) *scramClient {
	b := make([]byte, 24)
	rand.Read(b)
	return &scramClient{user: user, pass: pass, nonce: base64.RawStdEncoding.EncodeToString(b)}
}

// Start returns the client-first-message "n,,n=USER,r=NONCE".
func (c *scramClient) Start() (string, []byte, error) {
	name := strings.NewReplacer("=", "=3D", ",", "=2C").Replace(c.user)
	c.bare = "n=" + name + ",r=" + c.nonce
	return "SCRAM-SHA-256", []byte("n,," + c.bare), nil
}

// Next answers the server-first-message with the client-final-message and
// then checks the server-final-message's signature.
func (c *scramClient) Next(challenge []byte) ([]byte, error) {
	c.step++
	switch c.step {
	case 1:
		return c.final(string(challenge))
	case 2:
		return []byte{}, c.verify(string(challenge))
	}
	return nil, &scramError{"unexpected server challenge"}
}

func (c *scramClient) final(serverFirst string) ([]byte, error) {
	attrs := scramAttrs(serverFirst)
	nonce, salt64, iter := attrs["r"], attrs["s"], attrs["i"]
	if !strings.HasPrefix(nonce, c.nonce) || len(nonce) == len(c.nonce) {
		return nil, &scramError{"server nonce does not extend ours"}
	}
	salt, err := base64.StdEncoding.DecodeString(salt64)
	if err != nil || len(salt) == 0 {
		return nil, &scramError{"bad salt"}
	}
	n, err := strconv.Atoi(iter)
	if err != nil || n < 1 || n > maxSCRAMIterations {
		return nil, &scramError{"bad iteration count"}
	}
	pass := c.pass
	if !isASCII(pass) && utf8.ValidString(pass) {
		if p, err := precis.OpaqueString.String(pass); err == nil {
			pass = p // SASLprep's successor (RFC 8265)
		}
	}
	salted, err := pbkdf2.Key(sha256.New, pass, salt, n, sha256.Size)
	if err != nil {
		return nil, &scramError{"key derivation failed"}
	}
	clientKey := hmacSHA256(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	withoutProof := "c=biws,r=" + nonce
	authMsg := c.bare + "," + serverFirst + "," + withoutProof
	proof := hmacSHA256(storedKey[:], authMsg)
	for i := range proof {
		proof[i] ^= clientKey[i]
	}
	c.serverSig = hmacSHA256(hmacSHA256(salted, "Server Key"), authMsg)
	return []byte(withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)), nil
}

func (c *scramClient) verify(serverFinal string) error {
	attrs := scramAttrs(serverFinal)
	if e, ok := attrs["e"]; ok {
		return &scramError{"server error " + strconv.Quote(e)}
	}
	sig, err := base64.StdEncoding.DecodeString(attrs["v"])
	if err != nil || !hmac.Equal(sig, c.serverSig) {
		return &scramError{"server signature does not verify"}
	}
	return nil
}

// scramAttrs splits "a=x,b=y" into a map (first occurrence wins).
func scramAttrs(s string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if _, dup := m[k]; ok && len(k) == 1 && !dup {
			m[k] = v
		}
	}
	return m
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
