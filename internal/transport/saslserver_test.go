package transport

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

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

// tokenRecord is what the token servers of one test server saw: every
// mechanism a client tried, every bearer token presented (in order), and
// every answer to an error challenge that breaks RFC 7628 §3.2.3
// (OAUTHBEARER: a single %x01; XOAUTH2: empty).
type tokenRecord struct {
	mu     sync.Mutex
	mechs  []string
	tokens []string
	bad    []string
}

func (r *tokenRecord) tried(mech string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mechs = append(r.mechs, mech)
}

// seen returns copies of the mechanisms, tokens and bad answers.
func (r *tokenRecord) seen() (mechs, tokens, bad []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.mechs), slices.Clone(r.tokens), slices.Clone(r.bad)
}

// tokenServer is the server side of OAUTHBEARER (RFC 7628) or XOAUTH2 as
// the providers run it: it accepts the bearer token want presented for
// user; any other gets the error challenge {"status":status,...} and,
// after the client's answer to it, fails with refused.
type tokenServer struct {
	mech, user, want, status string
	ok                       func()
	refused                  error
	rec                      *tokenRecord
	failed                   bool
}

func (s *tokenServer) Next(resp []byte) ([]byte, bool, error) {
	if s.failed {
		if s.mech == "OAUTHBEARER" && string(resp) != "\x01" || s.mech == "XOAUTH2" && len(resp) != 0 {
			s.rec.mu.Lock()
			s.rec.bad = append(s.rec.bad, fmt.Sprintf("%s %q", s.mech, resp))
			s.rec.mu.Unlock()
		}
		return nil, true, s.refused
	}
	if resp == nil {
		return nil, false, nil // ask for the initial response
	}
	user, token, parsed := parseBearer(s.mech, resp)
	s.rec.mu.Lock()
	s.rec.tokens = append(s.rec.tokens, token)
	s.rec.mu.Unlock()
	if parsed && user == s.user && token == s.want {
		s.ok()
		return nil, true, nil
	}
	s.failed = true
	ch, _ := json.Marshal(map[string]string{"status": s.status, "schemes": "bearer", "scope": "https://mail.example/"})
	return ch, false, nil
}

// parseBearer takes a token mechanism's initial response apart: XOAUTH2's
// "user=U^Aauth=Bearer T^A^A", OAUTHBEARER's "n,a=U,^Ahost=H^Aport=P^Aauth=Bearer T^A^A".
func parseBearer(mech string, resp []byte) (user, token string, ok bool) {
	rest, ok := strings.CutSuffix(string(resp), "\x01\x01")
	if !ok {
		return "", "", false
	}
	fields := strings.Split(rest, "\x01")
	switch mech {
	case "XOAUTH2":
		user, ok = strings.CutPrefix(fields[0], "user=")
	case "OAUTHBEARER":
		gs2, ok1 := strings.CutPrefix(fields[0], "n,a=")
		user, ok = strings.CutSuffix(gs2, ",")
		ok = ok && ok1
	}
	for _, f := range fields[1:] {
		if t, found := strings.CutPrefix(f, "auth=Bearer "); found {
			token = t
		}
	}
	return user, token, ok && token != ""
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
