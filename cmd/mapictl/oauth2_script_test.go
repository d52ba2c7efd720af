package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mapictl/mapictl/internal/oauthtest"
)

func init() { testCmds["oauthmail"] = cmdOAuthMail }

var oauthMails sync.Map // *testscript.TestScript -> *oauthMail

// cmdOAuthMail: oauthmail [LIFETIME] — start the real OpenID provider of
// internal/oauthtest (access tokens living LIFETIME, default 1h) with its
// recording proxy, and SMTP (STARTTLS) and IMAP (TLS) servers that take
// its tokens only (oauth2_servers_test.go), one message in INBOX; export
// $OAUTH_ISSUER, $OAUTH_CLIENT, $OAUTH_TOKEN_URL and $OAUTH_DEVICE_URL
// (through the proxy), $OAUTH_USER, $OAUTH_SMTP_PORT, $OAUTH_IMAP_PORT and
// $OAUTH_CA. `oauthmail grant FILE` runs a device grant (as a CI job's
// owner would, not with mapictl) and writes its refresh token to FILE.
// `oauthmail refuse on|off` makes the servers refuse every token;
// `oauthmail revoke` revokes every grant (oauthtest's RevokeAll).
// `oauthmail nosecret DIR...` fails if a file under a DIR holds a secret
// that crossed the provider's token or device endpoints, or a granted one
// (naming the file, never the secret).
func cmdOAuthMail(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: oauthmail [LIFETIME] | grant FILE | refuse on|off | revoke | nosecret DIR...")
	}
	if v, ok := oauthMails.Load(ts); ok {
		m := v.(*oauthMail)
		switch {
		case len(args) == 2 && args[0] == "grant":
			tok, err := m.grantToken()
			ts.Check(err)
			ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(tok.RefreshToken+"\n"), 0o600))
		case len(args) == 2 && args[0] == "refuse":
			m.refuse.Store(args[1] == "on")
		case len(args) == 1 && args[0] == "revoke":
			m.p.RevokeAll()
		case len(args) > 1 && args[0] == "nosecret":
			secrets, _ := m.allSecrets()
			if len(secrets) == 0 {
				ts.Fatalf("oauthmail nosecret: no secret seen yet")
			}
			for _, dir := range args[1:] {
				ts.Check(filepath.WalkDir(ts.MkAbs(dir), func(p string, d fs.DirEntry, err error) error {
					if err != nil || !d.Type().IsRegular() {
						return err
					}
					b, err := os.ReadFile(p)
					for _, s := range secrets {
						if err == nil && bytes.Contains(b, []byte(s)) {
							ts.Fatalf("a secret is in %s", p)
						}
					}
					return err
				}))
			}
		default:
			ts.Fatalf("oauthmail: already running")
		}
		return
	}
	var opts []oauthtest.Option
	if len(args) == 1 {
		d, err := time.ParseDuration(args[0])
		ts.Check(err)
		opts = append(opts, oauthtest.AccessTokenLifetime(d))
	}
	p, stop, err := oauthtest.Start("127.0.0.1:0", opts...)
	ts.Check(err)
	ts.Defer(func() { stop() })
	cert, caPEM := smtpTestCert(ts)
	dir := ts.MkAbs("oauthmail")
	ts.Check(os.MkdirAll(dir, 0o700))
	m, err := startOAuthMail(p, cert, caPEM, dir, 1, nil, ts.Defer)
	ts.Check(err)
	oauthMails.Store(ts, m)
	ts.Defer(func() { oauthMails.Delete(ts) })
	for k, v := range map[string]string{"OAUTH_ISSUER": p.Issuer, "OAUTH_CLIENT": p.ClientID,
		"OAUTH_TOKEN_URL": m.tokenURL(), "OAUTH_DEVICE_URL": m.deviceURL(), "OAUTH_USER": m.user,
		"OAUTH_SMTP_PORT": portString(m.smtpPort), "OAUTH_IMAP_PORT": portString(m.imapPort), "OAUTH_CA": m.ca} {
		ts.Setenv(k, v)
	}
}
