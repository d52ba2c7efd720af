package account

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/transport"
)

// partialProfile has transport sections ok, down (a server that cannot be
// reached), refused (wrong credentials) and ok2, none needing credentials.
func partialProfile(t *testing.T) *profile.Profile {
	t.Helper()
	p := profile.New("work", nil)
	for _, n := range []string{"ok", "down", "refused", "ok2"} {
		s, err := p.AddSection(n, profile.KindTransport, "smtp")
		if err != nil {
			t.Fatal(err)
		}
		s.Props[mapi.PrEmailAddress] = n + "@example.com"
		s.Props[mapi.PrSMTPAuth] = "none"
	}
	return p
}

func partialVerify(_ context.Context, a *Account, _ Credentials) error {
	switch a.Name {
	case "down":
		return &transport.Error{Kind: transport.KindTemporary, Stage: transport.StageConnect, Message: "connection refused"}
	case "refused":
		return &transport.Error{Kind: transport.KindAuth, Stage: transport.StageAuth, SMTPCode: 535, Message: "no"}
	}
	return nil
}

// TestLogonPartial: SPEC §7 — with no section named, a section that cannot
// log on is left out (listed with its stage and code) and the logon
// succeeds if one did; named sections or Strict must all log on.
func TestLogonPartial(t *testing.T) {
	names := func(ss []session.SectionSnapshot) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Settings.Section)
		}
		return strings.Join(out, ",")
	}

	res, err := Logon(context.Background(), LogonOptions{Profile: partialProfile(t), Verify: partialVerify})
	if err != nil {
		t.Fatalf("a logon with two sections up failed: %v", err)
	}
	if got := names(res.Sections); got != "ok,ok2" {
		t.Fatalf("sections %s, want ok,ok2", got)
	}
	if len(res.Failed) != 2 || res.Failed[0].Section != "down" || res.Failed[1].Section != "refused" {
		t.Fatalf("failed %+v", res.Failed)
	}
	if f := res.Failed[0].Err; f.Code != mapi.NetworkError || f.ExitStatus() != 75 || detail(f).Stage != "connect" {
		t.Fatalf("down: %s exit %d stage %q, want MAPI_E_NETWORK_ERROR 75 connect", f.Code.Name, f.ExitStatus(), detail(f).Stage)
	}
	if f := res.Failed[1].Err; f.Code != mapi.LogonFailed || detail(f).Stage != "auth" || detail(f).SMTPCode != 535 {
		t.Fatalf("refused: %+v", f)
	}

	for _, tc := range []struct {
		name     string
		sections []string
		strict   bool
		want     mapi.Code
		exit     int
	}{
		{"strict", nil, true, mapi.NetworkError, 75},
		{"named", []string{"ok", "down"}, false, mapi.NetworkError, 75},
		{"named refused", []string{"refused", "ok"}, false, mapi.LogonFailed, 77},
		{"named ok", []string{"ok2"}, false, mapi.OK, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Logon(context.Background(), LogonOptions{Profile: partialProfile(t), Verify: partialVerify,
				Sections: tc.sections, Strict: tc.strict})
			if tc.want == mapi.OK {
				if err != nil || len(res.Failed) != 0 {
					t.Fatalf("%v %+v", err, res)
				}
				return
			}
			if e := mapi.AsError(err); e == nil || e.Code != tc.want || e.ExitStatus() != tc.exit {
				t.Fatalf("got %v, want %s exit %d", err, tc.want.Name, tc.exit)
			}
		})
	}

	t.Run("none logs on", func(t *testing.T) {
		p := partialProfile(t)
		p.Sections = slicesDelete(p.Sections, "ok", "ok2")
		res, err := Logon(context.Background(), LogonOptions{Profile: p, Verify: partialVerify})
		if e := mapi.AsError(err); e == nil || e.ExitStatus() != 75 || !strings.Contains(e.Msg, `section "down"`) {
			t.Fatalf("got %v, want the first section's failure (75)", err)
		}
		if res == nil || len(res.Failed) != 2 || len(res.Sections) != 0 {
			t.Fatalf("result %+v", res)
		}
	})

	t.Run("cancelled prompt ends it", func(t *testing.T) {
		p := partialProfile(t)
		s, _ := p.Section("down")
		s.Props[mapi.PrSMTPAuth] = "plain" // needs credentials: asked
		prompt := func(PromptRequest) (Credentials, error) {
			return Credentials{}, mapi.Errorf(mapi.UserCancel, "cancelled")
		}
		_, err := Logon(context.Background(), LogonOptions{Profile: p, Verify: partialVerify, Prompt: prompt})
		if !mapi.IsCode(err, mapi.UserCancel) {
			t.Fatalf("got %v, want MAPI_E_USER_CANCEL", err)
		}
	})
}

func slicesDelete(secs []*profile.Section, names ...string) []*profile.Section {
	var out []*profile.Section
	for _, s := range secs {
		keep := true
		for _, n := range names {
			keep = keep && s.Name != n
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

// TestVerifyErrorExit: a logon's transport failures have the exit every
// command gives them (today a server that cannot be reached was 69 here
// and 75 in message send).
func TestVerifyErrorExit(t *testing.T) {
	dns := func(notFound, timeout bool) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "x", Name: "h.invalid", IsNotFound: notFound, IsTimeout: timeout}}
	}
	for _, tc := range []struct {
		name string
		te   *transport.Error
		exit int
	}{
		{"refused", &transport.Error{Kind: transport.KindTemporary, Stage: "connect", Message: "connection refused"}, 75},
		{"nxdomain", classifyNet(dns(true, false)), 69},
		{"resolver down", classifyNet(dns(false, true)), 75},
		{"4xx", &transport.Error{Kind: transport.KindTemporary, Stage: "ehlo", SMTPCode: 421}, 75},
		{"5xx", &transport.Error{Kind: transport.KindPermanent, Stage: "ehlo", SMTPCode: 554}, 69},
		{"tls", &transport.Error{Kind: transport.KindTLS, Stage: "tls"}, 69},
		{"auth", &transport.Error{Kind: transport.KindAuth, Stage: "auth", SMTPCode: 535}, 77},
		{"config", &transport.Error{Kind: transport.KindConfig, Stage: "config"}, 78},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mapi.AsError(verifyError("mx", false, tc.te))
			if e.ExitStatus() != tc.exit || detail(e).Stage != tc.te.Stage || !strings.HasPrefix(e.Msg, `section "mx`) || len(e.Hints) == 0 {
				t.Fatalf("%s: exit %d (%s) stage %q msg %q, want %d", tc.name, e.ExitStatus(), e.Code.Name, detail(e).Stage, e.Msg, tc.exit)
			}
		})
	}
}

func classifyNet(err error) *transport.Error {
	k, msg := transport.NetKind(err)
	return &transport.Error{Kind: k, Stage: transport.StageConnect, Message: msg, Err: err}
}

// TestLogonVerbose: -v writes the logon dialogue, AUTH redacted, through
// the default verification (today it wrote nothing).
func TestLogonVerbose(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 4096)
		write := func(s string) { c.Write([]byte(s)) }
		write("220 test ESMTP\r\n")
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			line := string(buf[:n])
			switch {
			case strings.HasPrefix(line, "EHLO"):
				write("250-test\r\n250 AUTH PLAIN\r\n")
			case strings.HasPrefix(line, "AUTH"):
				write("235 2.7.0 ok\r\n")
			case strings.HasPrefix(line, "QUIT"):
				write("221 bye\r\n")
				return
			default:
				write("500 what\r\n")
			}
		}
	}()
	p := profile.New("work", nil)
	s, err := p.AddSection("mx", profile.KindTransport, "smtp")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	s.Props[mapi.PrSMTPHost], s.Props[mapi.PrSMTPPort] = "127.0.0.1", int32(port)
	s.Props[mapi.PrSMTPSecurity], s.Props[mapi.PrSMTPInsecureAuth], s.Props[mapi.PrSMTPAuth] = "none", true, "plain"
	s.Props[mapi.PrEmailAddress] = "me@example.com"
	var buf bytes.Buffer
	prompt := func(PromptRequest) (Credentials, error) {
		return Credentials{Username: "dana", Password: "S3cret-pw"}, nil
	}
	if _, err := Logon(context.Background(), LogonOptions{Profile: p, Prompt: prompt, Verbose: &buf}); err != nil {
		t.Fatalf("logon on port %s: %v", strconv.Itoa(port), err)
	}
	out := buf.String()
	for _, want := range []string{"S: 220 test ESMTP", "C: EHLO", "C: AUTH PLAIN [redacted]", "S: 235", "C: QUIT"} {
		if !strings.Contains(out, want) {
			t.Fatalf("transcript lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "S3cret-pw") || strings.Contains(out, "ZGFuYQBTM2NyZXQtcHc") {
		t.Fatalf("transcript holds the secret:\n%s", out)
	}
}

// detail is the transport failure e carries (its stage and reply codes),
// zero when none.
func detail(e *mapi.Error) transport.Error {
	if te := transport.ErrorDetail(e); te != nil {
		return *te
	}
	return transport.Error{}
}
