package transport

import (
	"io"
	"time"
)

// InboundConfig is the inbound side of a transport section resolved into
// what an IMAP or POP3 client needs (SPEC §8, `inbound.*`): plain values,
// no profile. Credentials are the inbound ones (inbound.username and
// inbound.password, else the section's username and password).
type InboundConfig struct {
	Protocol string // "imap" or "pop3"
	Host     string
	Port     int    // 0: 993/995 for tls, 143/110 for starttls and none
	Security string // "tls" (default), "starttls" (required), "none"
	// Auth: "auto" (default), "scram-sha-256", "plain", "login", "xoauth2",
	// "oauthbearer", "user" (POP3 USER/PASS), "none".
	Auth    string
	Mailbox string // IMAP mailbox; "" is INBOX

	CAFile             string
	TLSFingerprint     string
	InsecureSkipVerify bool
	AllowInsecureAuth  bool

	Credentials Credentials
	Timeout     time.Duration // per step; 0 is 30s
	// Log, when set, receives the dialogue (-v) with every credential and
	// AUTH payload redacted, as the SMTP transcript does.
	Log io.Writer
}
