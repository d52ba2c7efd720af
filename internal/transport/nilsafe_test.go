package transport

import (
	"os"
	"path/filepath"
	"testing"
)

// TestNewErrorIsUntypedNil guards issue 24 point 5: on a configuration error
// New must return a nil interface, not a nil *smtpTransport (or another
// concrete nil) wrapped in Transport, which passes "t != nil" and panics in
// Close. One case per constructor and per kind of configuration error that
// reaches it.
func TestNewErrorIsUntypedNil(t *testing.T) {
	pass := Credentials{Username: "u", Password: "pw"}
	smtpCfg := func(s SMTPConfig) Config { return Config{Kind: "smtp", SMTP: s, Credentials: pass} }
	rel := filepath.Join("no-such-dir", "ca.pem") // relative, from a directory where it does not exist
	tests := map[string]Config{
		"smtp host with space":  smtpCfg(SMTPConfig{Host: "a b"}),
		"smtp no host":          smtpCfg(SMTPConfig{}),
		"smtp relative ca-file": smtpCfg(SMTPConfig{Host: "h", CAFile: rel}),
		"smtp missing ca-file":  smtpCfg(SMTPConfig{Host: "h", CAFile: "/no/such/ca.pem"}),
		"smtp ca-file not pem":  smtpCfg(SMTPConfig{Host: "h", CAFile: os.Args[0]}),
		"smtp bad security":     smtpCfg(SMTPConfig{Host: "h", Security: "ssl"}),
		"smtp bad port":         smtpCfg(SMTPConfig{Host: "h", Port: -1}),
		"smtp bad auth":         smtpCfg(SMTPConfig{Host: "h", Auth: "cram-md5"}),
		"smtp bad helo":         smtpCfg(SMTPConfig{Host: "h", Helo: "a b"}),
		"smtp bad fingerprint":  smtpCfg(SMTPConfig{Host: "h", TLSFingerprint: "zz"}),
		"maildir no path":       {Kind: "maildir"},
		"sendmail not found":    {Kind: "sendmail", SendmailPath: "/no/such/sendmail"},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			tr, err := New(cfg)
			wantErr(t, err, KindConfig, StageConfig)
			if tr != nil {
				t.Fatalf("New returned a non-nil Transport %#v with its error", tr)
			}
		})
	}
}

// TestSMTPSettingsNilOnError: smtpSettingsFrom returns no half-built
// settings beside an error (the ca-file error used to come with them).
func TestSMTPSettingsNilOnError(t *testing.T) {
	s, err := smtpSettingsFrom(Config{SMTP: SMTPConfig{Host: "h", CAFile: "/no/such/ca.pem"}})
	wantErr(t, err, KindConfig, StageConfig)
	if s != nil {
		t.Fatalf("settings %+v returned with the error", s)
	}
}
