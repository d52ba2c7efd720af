package main

import (
	"encoding/base64"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// The server side of the bearer token mechanisms for the test servers of
// oauth2_servers_test.go.

// errTokenRefused is a refused token, as SMTP says it.
var errTokenRefused = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "invalid token"}

// tokenSASL is the server side of OAUTHBEARER and XOAUTH2.
type tokenSASL struct {
	mech   string
	check  func(user, token string) bool
	fail   error // the refusal, as the protocol says it
	failed bool
}

func (s *tokenSASL) Next(resp []byte) ([]byte, bool, error) {
	if s.failed {
		return nil, true, s.fail
	}
	user, token, ok := parseTokenResponse(s.mech, resp)
	if ok && s.check(user, token) {
		return nil, true, nil
	}
	s.failed = true
	if s.mech == "XOAUTH2" {
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.example/"}`), false, nil
	}
	return []byte(`{"status":"invalid_token","scope":"mail"}`), false, nil
}

// parseTokenResponse reads the user and bearer token of an OAUTHBEARER
// ("n,a=USER,^Ahost=…^Aauth=Bearer TOKEN^A^A") or XOAUTH2
// ("user=USER^Aauth=Bearer TOKEN^A^A") initial response.
func parseTokenResponse(mech string, resp []byte) (user, token string, ok bool) {
	s := string(resp)
	if mech == "OAUTHBEARER" {
		gs2, rest, found := strings.Cut(s, "\x01")
		if !found {
			return "", "", false
		}
		for _, f := range strings.Split(gs2, ",") {
			if u, ok := strings.CutPrefix(f, "a="); ok {
				user = strings.NewReplacer("=2C", ",", "=3D", "=").Replace(u)
			}
		}
		s = rest
	}
	for _, kv := range strings.Split(s, "\x01") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "user":
			user = v
		case "auth":
			token, ok = strings.CutPrefix(v, "Bearer ")
		}
	}
	return user, token, ok && user != ""
}

// pop3Auth runs AUTH MECH [INITIAL-RESPONSE] (RFC 5034) on tp with srv;
// true when it logged on.
func pop3Auth(tp interface {
	PrintfLine(string, ...any) error
	ReadLine() (string, error)
}, arg string, srv sasl.Server) bool {
	_, ir, hasIR := strings.Cut(arg, " ")
	next := func() (string, bool) {
		tp.PrintfLine("+ ")
		l, err := tp.ReadLine()
		return l, err == nil
	}
	line := ir
	if !hasIR {
		var ok bool
		if line, ok = next(); !ok {
			return false
		}
	}
	for {
		if line == "*" {
			tp.PrintfLine("-ERR AUTH cancelled")
			return false
		}
		var resp []byte
		if line != "=" {
			var err error
			if resp, err = base64.StdEncoding.DecodeString(line); err != nil {
				tp.PrintfLine("-ERR bad base64")
				return false
			}
		}
		chal, done, err := srv.Next(resp)
		switch {
		case err != nil:
			tp.PrintfLine("-ERR [AUTH] invalid token")
			return false
		case done:
			tp.PrintfLine("+OK logged on")
			return true
		}
		tp.PrintfLine("+ %s", base64.StdEncoding.EncodeToString(chal))
		l, err := tp.ReadLine()
		if err != nil {
			return false
		}
		line = l
	}
}
