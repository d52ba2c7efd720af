package message

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	gomessage "github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
)

// Failure is one recipient that could not be delivered.
type Failure struct {
	Recipient    string // email; a display name, if any, is dropped
	SMTPCode     int    // e.g. 550; 0 when no server answered
	EnhancedCode string // e.g. "5.1.1"; "" when the server gave none
	Reply        string // server reply text or reason
}

// enhanced matches an RFC 3463 enhanced status code; compiled on first use
// so that commands which never build an NDR do not pay for it at start-up.
var enhanced = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[245]\.\d{1,3}\.\d{1,3}$`) })

// status returns the RFC 3464 Status: the enhanced code when it has class 4
// or 5, else 4.0.0 for a 4xx reply, else 5.0.0.
func (f Failure) status() string {
	if enhanced().MatchString(f.EnhancedCode) && f.EnhancedCode[0] != '2' {
		return f.EnhancedCode
	}
	if f.SMTPCode >= 400 && f.SMTPCode < 500 {
		return "4.0.0"
	}
	return "5.0.0"
}

// diagnostic returns "smtp; CODE [ENH] REPLY" or, without a code,
// "x-mapictl; REPLY", on one printable ASCII line.
func (f Failure) diagnostic() string {
	reply := oneLine(f.Reply)
	if f.SMTPCode == 0 {
		return "x-mapictl; " + reply
	}
	s := fmt.Sprintf("smtp; %d", f.SMTPCode)
	if f.EnhancedCode != "" && enhanced().MatchString(f.EnhancedCode) && !strings.HasPrefix(reply, f.EnhancedCode) {
		s += " " + f.EnhancedCode
	}
	return strings.TrimRight(s+" "+reply, " ")
}

// oneLine joins the lines of s with spaces and replaces bytes outside
// printable ASCII with '?'.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	b := []byte(s)
	for i, c := range b {
		if c < ' ' || c > '~' {
			b[i] = '?'
		}
	}
	return string(b)
}

// NDR builds an RFC 3464 non-delivery report, from MAILER-DAEMON at
// reportingMTA to the sender to, about original: a multipart/report
// (report-type=delivery-status) holding a text/plain explanation, a
// message/delivery-status part with one block per failure (Final-Recipient,
// Action: failed, Status, Diagnostic-Code) and the original header block as
// text/rfc822-headers. now is the report's Date (zero: the current time).
//
// A failed recipient is an address, or a bare local part such as cron's
// "root" (sendmail passes it to the server as written), reported as it is:
// "Final-Recipient: rfc822; root".
//
// Errors wrap [ErrNoRecipients] without failures, [ErrInvalidHeader] for a
// reportingMTA that is not a host name, and [ErrInvalidAddress] for to or a
// failed recipient that is malformed or holds CR, LF or NUL.
func NDR(reportingMTA string, to Address, original []byte, failures []Failure, now time.Time) ([]byte, error) {
	if len(failures) == 0 {
		return nil, ErrNoRecipients
	}
	if err := checkAddress(to); err != nil {
		return nil, err
	}
	failures = append([]Failure(nil), failures...)
	for i, f := range failures {
		if isLocalPart(f.Recipient) {
			continue // cron's "root": RFC 3464 allows it in Final-Recipient
		}
		a, err := ParseAddress(f.Recipient)
		if err != nil {
			return nil, err
		}
		failures[i].Recipient = a.envelope()
	}
	if now.IsZero() {
		now = time.Now()
	}
	h, err := ndrHeader(reportingMTA, to, original, now)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w, err := gomessage.CreateWriter(&buf, h.Header)
	if err != nil {
		return nil, err
	}
	if err := writeNDRParts(w, reportingMTA, original, failures, now); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// isLocalPart reports whether s, without '@', is a valid local part: one
// that ParseAddress accepts as s@localhost, unchanged (so no space, quote,
// angle bracket or control character).
func isLocalPart(s string) bool {
	if s == "" || strings.Contains(s, "@") {
		return false
	}
	a, err := ParseAddress(s + "@localhost")
	return err == nil && a.Name == "" && a.Email == s+"@localhost"
}

func ndrHeader(mta string, to Address, original []byte, now time.Time) (gomail.Header, error) {
	var h gomail.Header
	id, err := newMessageID(mta)
	if err != nil || strings.ContainsAny(mta, "[]") {
		return h, headerErr("Reporting-MTA", "not a host name")
	}
	fields := []field{
		{"Date", now.Format(time.RFC1123Z)},
		{"From", Address{"Mail Delivery System", "MAILER-DAEMON@" + mta}.String()},
		{"To", to.String()},
		{"Subject", "Undelivered Mail Returned to Sender"},
		{"Message-Id", id},
		{"Auto-Submitted", "auto-replied"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "multipart/report; report-type=delivery-status"},
	}
	if orig, err := split(original).parse(); err == nil {
		oh := gomail.Header{Header: gomessage.Header{Header: orig}}
		if oid, err := oh.MessageID(); err == nil && oid != "" {
			fields = append(fields[:5], append([]field{{"In-Reply-To", "<" + oid + ">"}}, fields[5:]...)...)
		}
	}
	for i := len(fields) - 1; i >= 0; i-- {
		h.Add(fields[i].key, fields[i].value)
	}
	return h, nil
}
