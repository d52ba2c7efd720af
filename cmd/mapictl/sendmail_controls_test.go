package main

import (
	"testing"

	gomail "github.com/emersion/go-message/mail"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/sendmail"
)

// TestSendmailRecipientsRefuseControls: a recipient argument that is not an
// address is passed as a bare local name (cron's "root") only without CR,
// LF, NUL or another control character, which would reach RCPT TO (issue
// 24 point 10; a NUL cannot be given in a real argument, but sendmailopt
// and this function are also called by code).
func TestSendmailRecipientsRefuseControls(t *testing.T) {
	for _, arg := range []string{"root\x00", "ro\x00ot", "root\r", "root\n", "ro\rot", "\x00", "root\x1b[0m", "root\x7f"} {
		to, err := sendmailRecipients(&sendmail.Options{Recipients: []string{arg}}, gomail.Header{})
		if !mapi.IsCode(err, mapi.InvalidParameter) {
			t.Errorf("recipient %q: %v, %v; want MAPI_E_INVALID_PARAMETER", arg, to, err)
		}
	}
	to, err := sendmailRecipients(&sendmail.Options{Recipients: []string{" root ", "a@example.com, b@example.com"}}, gomail.Header{})
	if err != nil || len(to) != 3 || to[0] != "root" {
		t.Errorf("plain recipients: %v, %v", to, err)
	}
}
