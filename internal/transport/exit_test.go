package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/mapictl/mapictl/internal/mapi"
)

// timeoutErr is a net.Error that timed out.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func dnsErr(notFound, timeout, temporary bool) error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "x", Name: "host.invalid",
		IsNotFound: notFound, IsTimeout: timeout, IsTemporary: temporary}}
}

func opErr(errno syscall.Errno) error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)}
}

// TestNetKind: how a failure to reach a server is classified, whatever the
// resolver of the machine the tests run on does (no DNS is needed): a
// host that does not exist is permanent (69), a resolver that cannot be
// reached and every connection failure temporary (75), through classify,
// the one path every SMTP stage takes, and MAPIError, the one mapping every
// command uses (SPEC §9, issue 25).
func TestNetKind(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		kind Kind
		exit int
	}{
		{"nxdomain", dnsErr(true, false, false), KindPermanent, 69},
		{"resolver timeout", dnsErr(false, true, true), KindTemporary, 75},
		{"resolver unreachable", dnsErr(false, false, true), KindTemporary, 75},
		{"servfail", dnsErr(false, false, false), KindTemporary, 75},
		{"refused", opErr(syscall.ECONNREFUSED), KindTemporary, 75},
		{"no route", opErr(syscall.EHOSTUNREACH), KindTemporary, 75},
		{"network unreachable", opErr(syscall.ENETUNREACH), KindTemporary, 75},
		{"reset", opErr(syscall.ECONNRESET), KindTemporary, 75},
		{"timeout", &net.OpError{Op: "read", Net: "tcp", Err: timeoutErr{}}, KindTemporary, 75},
		{"deadline", fmt.Errorf("greeting: %w", os.ErrDeadlineExceeded), KindTemporary, 75},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if k, _ := NetKind(tc.err); k != tc.kind {
				t.Fatalf("NetKind = %v, want %v", k, tc.kind)
			}
			te := classify(context.Background(), StageConnect, tc.err)
			if te.Kind != tc.kind || te.Stage != StageConnect {
				t.Fatalf("classify = %v %s, want %v connect", te.Kind, te.Stage, tc.kind)
			}
			e, ok := MAPIError(te, "section \"x\"")
			if !ok || e.ExitStatus() != tc.exit || e.Code != mapi.NetworkError || ErrorDetail(e).Stage != StageConnect {
				t.Fatalf("MAPIError = %v %s exit %d stage %q, want MAPI_E_NETWORK_ERROR exit %d", ok, e.Code.Name, e.ExitStatus(), ErrorDetail(e).Stage, tc.exit)
			}
		})
	}
}

// TestMAPIError: every kind of transport failure has one code and exit;
// every recipient refused is 67, as when some are (not 69).
func TestMAPIError(t *testing.T) {
	rej := func(temp ...bool) *Error {
		var rs []Rejection
		for i, tmp := range temp {
			code := 550
			if tmp {
				code = 451
			}
			rs = append(rs, Rejection{Address: fmt.Sprintf("r%d@example.com", i), SMTPCode: code, Temporary: tmp})
		}
		return allRejected(rs)
	}
	for _, tc := range []struct {
		name string
		err  error
		code mapi.Code
		exit int
	}{
		{"4xx", smtpErr(StageMail, &smtp.SMTPError{Code: 451}), mapi.NetworkError, 75},
		{"5xx", smtpErr(StageData, &smtp.SMTPError{Code: 554}), mapi.NetworkError, 69},
		{"5xx rcpt, one connection's", smtpErr(StageRcpt, &smtp.SMTPError{Code: 550}), mapi.NetworkError, 69},
		{"one recipient rejected", rej(false), mapi.NotFound, 67},
		{"all recipients rejected", rej(false, false), mapi.NotFound, 67},
		{"all rejected, one for now", rej(false, true), mapi.NetworkError, 75},
		{"tls", &Error{Kind: KindTLS, Stage: StageTLS}, mapi.NetworkError, 69},
		{"auth", smtpErr(StageAuth, &smtp.SMTPError{Code: 535}), mapi.LogonFailed, 77},
		{"token refused", tokenSourceErr(context.Background(), mapi.Errorf(mapi.LogonFailed, "refused")), mapi.LogonFailed, 77},
		{"token bound to other settings", tokenSourceErr(context.Background(), mapi.Errorf(mapi.NoAccess, "settings changed")), mapi.NoAccess, 77},
		{"config", configErr("no host"), mapi.Unconfigured, 78},
		{"wrapped", fmt.Errorf("send: %w", rej(false)), mapi.NotFound, 67},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := MAPIError(tc.err, "delivery failed")
			if !ok || e.Code != tc.code || e.ExitStatus() != tc.exit {
				t.Fatalf("MAPIError = %v %s exit %d, want %s exit %d", ok, e.Code.Name, e.ExitStatus(), tc.code.Name, tc.exit)
			}
			var te *Error
			errors.As(tc.err, &te)
			if d := ErrorDetail(e); e.Msg != "delivery failed: "+te.Error() || d == nil || d.Stage != te.Stage || d.SMTPCode != te.SMTPCode {
				t.Fatalf("MAPIError lost the details: %+v", e)
			}
		})
	}
	if e, ok := MAPIError(mapi.Errorf(mapi.Busy, "locked"), "x"); ok || e.Code != mapi.Busy || ErrorDetail(e) != nil {
		t.Fatalf("a *mapi.Error is not a transport failure: %v %+v", ok, e)
	}
}
