package transport

import (
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

func TestNewValidates(t *testing.T) {
	pass := Credentials{Username: "u", Password: "hunter2pw"}
	smtpCfg := func(s SMTPConfig, c Credentials) Config { return Config{Kind: "smtp", SMTP: s, Credentials: c} }
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"unconfigured", Config{}, false},
		{"unknown kind", Config{Kind: "uucp"}, false},
		{"negative timeout", Config{Kind: "maildir", MaildirPath: "x", Timeout: -1}, false},
		{"smtp minimal", smtpCfg(SMTPConfig{Host: "mx.example.org"}, Credentials{}), true},
		{"smtp no host", smtpCfg(SMTPConfig{}, pass), false},
		{"smtp bad host", smtpCfg(SMTPConfig{Host: "a b"}, pass), false},
		{"smtp bad port", smtpCfg(SMTPConfig{Host: "h", Port: 70000}, pass), false},
		{"smtp bad security", smtpCfg(SMTPConfig{Host: "h", Security: "ssl"}, pass), false},
		{"smtp bad auth", smtpCfg(SMTPConfig{Host: "h", Auth: "cram-md5"}, pass), false},
		{"plain without password", smtpCfg(SMTPConfig{Host: "h", Auth: "plain"}, Credentials{Username: "u"}), false},
		{"scram with password", smtpCfg(SMTPConfig{Host: "h", Auth: "SCRAM-SHA-256"}, pass), true},
		{"xoauth2 without token", smtpCfg(SMTPConfig{Host: "h", Auth: "xoauth2"}, pass), false},
		{"oauthbearer without token", smtpCfg(SMTPConfig{Host: "h", Auth: "OAUTHBEARER"}, pass), false},
		{"oauthbearer with a token source", smtpCfg(SMTPConfig{Host: "h", Auth: "oauthbearer"},
			Credentials{Username: "u", OAuth2: &fakeSource{}}), true},
		{"xoauth2 with a static token", smtpCfg(SMTPConfig{Host: "h", Auth: "xoauth2"},
			Credentials{Username: "u", OAuth2Token: "t"}), true},
		{"bad fingerprint", smtpCfg(SMTPConfig{Host: "h", TLSFingerprint: "abcd"}, pass), false},
		{"good fingerprint", smtpCfg(SMTPConfig{Host: "h", TLSFingerprint: strings.Repeat("AB:", 31) + "AB"}, pass), true},
		{"missing ca file", smtpCfg(SMTPConfig{Host: "h", CAFile: "/no/such/ca.pem"}, pass), false},
		{"bad helo", smtpCfg(SMTPConfig{Host: "h", Helo: "a\r\nMAIL"}, pass), false},
		{"maildir", Config{Kind: "maildir", MaildirPath: "x"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := New(tc.cfg)
			if tc.ok {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				tr.Close()
				return
			}
			e := wantErr(t, err, KindConfig, StageConfig)
			if strings.Contains(e.Error(), "hunter2pw") {
				t.Fatalf("password in %q", e)
			}
		})
	}
}

func TestSMTPPortDefaults(t *testing.T) {
	for sec, want := range map[string]string{"": "h:587", "starttls": "h:587", "tls": "h:465", "none": "h:25"} {
		s, err := smtpSettingsFrom(Config{SMTP: SMTPConfig{Host: "h", Security: sec}})
		if err != nil || s.addr != want {
			t.Fatalf("security %q: addr %v %v, want %s", sec, s, err, want)
		}
	}
}

func TestErrorFormatting(t *testing.T) {
	cause := &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad\ncredentials"}
	e := classify(nil, StageAuth, cause)
	if e.Kind != KindAuth || e.Error() != "auth: 535 5.7.8 bad credentials" || !errors.Is(e, cause) || e.Temporary() {
		t.Fatalf("%v %q", e.Kind, e.Error())
	}
	tests := []struct {
		stage string
		code  int
		enh   smtp.EnhancedCode
		kind  Kind
	}{
		{StageAuth, 534, smtp.EnhancedCode{5, 7, 9}, KindAuth},
		{StageAuth, 530, smtp.EnhancedCode{5, 7, 8}, KindAuth},
		{StageAuth, 530, smtp.EnhancedCode{5, 7, 0}, KindPermanent},
		{StageAuth, 454, smtp.EnhancedCode{4, 7, 0}, KindTemporary},
		{StageMail, 535, smtp.NoEnhancedCode, KindPermanent},
		{StageRcpt, 421, smtp.NoEnhancedCode, KindTemporary},
	}
	for _, tc := range tests {
		got := classify(nil, tc.stage, &smtp.SMTPError{Code: tc.code, EnhancedCode: tc.enh})
		if got.Kind != tc.kind || got.SMTPCode != tc.code {
			t.Errorf("%s %d %v: kind %v", tc.stage, tc.code, tc.enh, got.Kind)
		}
	}
}
