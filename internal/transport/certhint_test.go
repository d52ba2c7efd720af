package transport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// Issue 25: a certificate that does not verify gets hints naming
// smtp.ca-file and smtp.tls-fingerprint and the server's fingerprint, in the
// form smtp.tls-fingerprint accepts (pinning it then works).
func TestCertificateHintsFingerprint(t *testing.T) {
	for _, security := range []string{"starttls", "tls"} {
		t.Run(security, func(t *testing.T) {
			ts := startServer(t, security, nil)
			sum := sha256.Sum256(ts.cert.der)
			fp := hex.EncodeToString(sum[:])

			cfg := smtpConfig(ts, security)
			cfg.SMTP.CAFile = "" // self-signed: not in the system roots
			_, err := newT(t, cfg).Send(context.Background(), env("bob@example.org"), []byte(testMsg))
			e := wantErr(t, err, KindTLS, StageTLS)
			hints := strings.Join(e.Hints, "\n")
			for _, want := range []string{"smtp.ca-file", "smtp.tls-fingerprint=" + fp, "fingerprint " + fp} {
				if !strings.Contains(hints, want) {
					t.Errorf("hints %q do not contain %q", e.Hints, want)
				}
			}

			// The fingerprint as printed is what smtp.tls-fingerprint takes.
			cfg.SMTP.TLSFingerprint = fp
			if _, err := newT(t, cfg).Send(context.Background(), env("bob@example.org"), []byte(testMsg)); err != nil {
				t.Fatalf("pinning the printed fingerprint: %v", err)
			}
		})
	}
}

// A pin that does not match: the hint gives the fingerprint presented.
func TestCertificateHintsPinMismatch(t *testing.T) {
	ts := startServer(t, "starttls", nil)
	sum := sha256.Sum256(ts.cert.der)
	fp := hex.EncodeToString(sum[:])
	cfg := smtpConfig(ts, "starttls")
	cfg.SMTP.CAFile, cfg.SMTP.TLSFingerprint = "", strings.Repeat("ab", 32)
	_, err := newT(t, cfg).Send(context.Background(), env("bob@example.org"), []byte(testMsg))
	e := wantErr(t, err, KindTLS, StageTLS)
	hints := strings.Join(e.Hints, "\n")
	if !strings.Contains(hints, "smtp.tls-fingerprint="+fp) || !strings.Contains(hints, "smtp.ca-file") {
		t.Errorf("hints %q: want smtp.tls-fingerprint=%s and smtp.ca-file", e.Hints, fp)
	}
}

// Failures without a certificate get no fingerprint hint.
func TestCertificateHintsNotOtherwise(t *testing.T) {
	ts := startServer(t, "none", nil)
	_, err := newT(t, smtpConfig(ts, "starttls")).Send(context.Background(), env("bob@example.org"), []byte(testMsg))
	e := wantErr(t, err, KindTLS, StageTLS)
	if len(e.Hints) != 0 {
		t.Errorf("starttls not offered: hints %q", e.Hints)
	}
}
