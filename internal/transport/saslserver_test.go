package transport

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/emersion/go-smtp"
)

// loginServer is the server side of LOGIN (go-sasl has none).
type loginServer struct {
	check func(user, pass string) error
	user  string
	step  int
}

func (s *loginServer) Next(resp []byte) ([]byte, bool, error) {
	s.step++
	switch s.step {
	case 1:
		if resp != nil {
			s.user, s.step = string(resp), 2
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		s.user = string(resp)
		return []byte("Password:"), false, nil
	}
	return nil, true, s.check(s.user, string(resp))
}

// xoauth2Server accepts exactly want; otherwise it sends the JSON error
// challenge and fails after the client's empty response.
type xoauth2Server struct {
	want   string
	ok     func()
	failed bool
}

func (s *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if s.failed {
		return nil, true, smtp.ErrAuthFailed
	}
	if string(resp) == s.want {
		s.ok()
		return nil, true, nil
	}
	s.failed = true
	return []byte(`{"status":"401","schemes":"bearer"}`), false, nil
}

// scramServer verifies a SCRAM-SHA-256 client proof (RFC 5802 §3) against
// a known password and proves itself with the server signature.
type scramServer struct {
	user, pass        string
	ok                func()
	bare, serverFirst string
	salted            []byte
	step              int
}

func (s *scramServer) Next(resp []byte) ([]byte, bool, error) {
	s.step++
	switch s.step {
	case 1:
		msg, ok := strings.CutPrefix(string(resp), "n,,")
		a := scramAttrs(msg)
		if !ok || a["n"] != s.user || a["r"] == "" {
			return nil, true, smtp.ErrAuthFailed
		}
		s.bare = msg
		salt := []byte("0123456789abcdef")
		s.serverFirst = "r=" + a["r"] + "SERVERNONCE,s=" + base64.StdEncoding.EncodeToString(salt) + ",i=4096"
		s.salted, _ = pbkdf2.Key(sha256.New, s.pass, salt, 4096, 32)
		return []byte(s.serverFirst), false, nil
	case 2:
		final := string(resp)
		i := strings.LastIndex(final, ",p=")
		if i < 0 {
			return nil, true, errors.New("no proof")
		}
		proof, err := base64.StdEncoding.DecodeString(final[i+3:])
		if err != nil || len(proof) != 32 {
			return nil, true, smtp.ErrAuthFailed
		}
		authMsg := s.bare + "," + s.serverFirst + "," + final[:i]
		stored := sha256.Sum256(hmacSHA256(s.salted, "Client Key"))
		sig := hmacSHA256(stored[:], authMsg)
		for j := range proof {
			proof[j] ^= sig[j]
		}
		if got := sha256.Sum256(proof); !bytes.Equal(got[:], stored[:]) {
			return nil, true, smtp.ErrAuthFailed
		}
		s.ok()
		v := hmacSHA256(hmacSHA256(s.salted, "Server Key"), authMsg)
		return []byte("v=" + base64.StdEncoding.EncodeToString(v)), false, nil
	}
	return nil, true, nil
}
