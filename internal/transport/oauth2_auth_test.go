package transport

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
)

// fakeSource is a TokenSource that counts its calls: Token returns token
// (or tokenErr), Refresh records the refused token and returns fresh (or
// refreshErr). delay is how long each call takes (a slow provider).
type fakeSource struct {
	token, fresh         string
	tokenErr, refreshErr error
	delay                time.Duration

	mu      sync.Mutex
	tokens  int
	refused []string
}

func (s *fakeSource) Token(context.Context) (string, error) {
	time.Sleep(s.delay)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens++
	return s.token, s.tokenErr
}

func (s *fakeSource) Refresh(_ context.Context, refused string) (string, error) {
	time.Sleep(s.delay)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused = append(s.refused, refused)
	return s.fresh, s.refreshErr
}

// calls returns how often Token was called and the tokens Refresh got.
func (s *fakeSource) calls() (int, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens, slices.Clone(s.refused)
}

// Tokens of the tests. fresh is longer than a POP3 command line may be
// (RFC 5034 §4), as real access tokens are: its initial response goes
// after an empty challenge there.
var (
	oauthStale = "stale-Token-8f3a1c"
	oauthFresh = "fresh-Token-" + strings.Repeat("q7", 150)
	oauthBad   = "also-bad-Token-77e0"
)

// oauthServer is what the server of one protocol offers and accepts.
type oauthServer struct {
	mechs  []string // SASL mechanisms offered
	accept string   // the one bearer token accepted
	status string   // of the error challenge for any other
}

// oauthLogon is one client's logon.
type oauthLogon struct {
	auth    string
	cr      Credentials
	timeout time.Duration // 0: the harness's default
}

// oauthRun is what came of a logon.
type oauthRun struct {
	err        error
	transcript string // -v
	rec        *tokenRecord
}

// oauthProtos start a server of each protocol and log on to it (SMTP:
// Verify, which connects, logs on and quits; IMAP, POP3: dial and close).
var oauthProtos = []struct {
	name  string
	logon func(t *testing.T, srv oauthServer, l oauthLogon) oauthRun
}{
	{"smtp", func(t *testing.T, srv oauthServer, l oauthLogon) oauthRun {
		ts := startServer(t, "tls", func(ts *testServer) {
			ts.mechs, ts.token, ts.oauthStatus = srv.mechs, srv.accept, srv.status
		})
		var v bytes.Buffer
		cfg := smtpConfig(ts, "tls")
		cfg.SMTP.Auth, cfg.Credentials, cfg.Verbose, cfg.Timeout = l.auth, l.cr, &v, l.timeout
		tr, err := New(cfg)
		if err == nil {
			err = tr.(Verifier).Verify(context.Background())
		}
		return oauthRun{err, v.String(), &ts.tokens}
	}},
	{"imap", func(t *testing.T, srv oauthServer, l oauthLogon) oauthRun {
		ts := startIMAPServer(t, imapServerOpts{security: "tls", sasl: srv.mechs, token: srv.accept, oauthStatus: srv.status})
		var v bytes.Buffer
		cfg := ts.config("tls")
		cfg.Auth, cfg.Credentials, cfg.Log = l.auth, l.cr, &v
		if l.timeout != 0 {
			cfg.Timeout = l.timeout
		}
		m, err := DialIMAP(context.Background(), cfg)
		if err == nil {
			m.Close()
		}
		return oauthRun{err, v.String(), &ts.tokens}
	}},
	{"pop3", func(t *testing.T, srv oauthServer, l oauthLogon) oauthRun {
		f := newPOP3Fake(t, newTestCert(t), func(f *pop3Fake) {
			f.implicitTLS, f.sasl, f.token, f.oauthStatus = true, srv.mechs, srv.accept, srv.status
		})
		var v bytes.Buffer
		cfg := f.config()
		cfg.Auth, cfg.Credentials, cfg.Log, cfg.Timeout = l.auth, l.cr, &v, l.timeout
		m, err := DialPOP3(context.Background(), cfg)
		if err == nil {
			m.Close()
		}
		return oauthRun{err, v.String(), &f.tokens}
	}},
}

// oauthUser is the user of every server in these tests.
const oauthUser = "alice"

// leaks reports whether text shows secret, as is or inside any base64
// word (an AUTH payload that escaped redaction).
func leaks(text, secret string) bool {
	if strings.Contains(text, secret) {
		return true
	}
	for _, w := range strings.Fields(text) {
		if b, err := base64.StdEncoding.DecodeString(w); err == nil && bytes.Contains(b, []byte(secret)) {
			return true
		}
	}
	return false
}

// checkNoLeak fails when the error or the transcript shows a token or the
// password.
func checkNoLeak(t *testing.T, run oauthRun) {
	t.Helper()
	text := run.transcript
	if run.err != nil {
		text += "\n" + run.err.Error()
		var te *Error
		if errors.As(run.err, &te) {
			text += "\n" + strings.Join(te.Hints, "\n")
		}
	}
	for _, s := range []string{oauthStale, oauthFresh, oauthBad, "s3cr3t-pässword", "s3cret-Pa55"} {
		if leaks(text, s) {
			t.Fatalf("%q shown:\n%s", s, text)
		}
	}
}

// clientLines counts the transcript lines the client sent that name mech
// (its AUTH or AUTHENTICATE commands).
func clientLines(transcript, mech string) int {
	n := 0
	for _, l := range strings.Split(transcript, "\n") {
		if strings.HasPrefix(l, "C: ") && strings.Contains(l, mech) {
			n++
		}
	}
	return n
}

func TestOAuth2Logon(t *testing.T) {
	all := []string{"PLAIN", "XOAUTH2", "OAUTHBEARER"}
	type want struct {
		mechs    []string // tried, in order
		tokens   []string // presented, in order
		refused  []string // given to Refresh
		kind     Kind     // when failing
		fails    bool
		contains string // in the error message
		hint     bool   // refreshHint given
	}
	src := func(token, fresh string) Credentials {
		return Credentials{Username: oauthUser, Password: "s3cr3t-pässword",
			OAuth2: &fakeSource{token: token, fresh: fresh}}
	}
	for _, tc := range []struct {
		name string
		srv  oauthServer
		l    oauthLogon
		want want
	}{
		{"oauthbearer accepted", oauthServer{[]string{"OAUTHBEARER"}, oauthFresh, "invalid_token"},
			oauthLogon{auth: "oauthbearer", cr: src(oauthFresh, "")},
			want{mechs: []string{"OAUTHBEARER"}, tokens: []string{oauthFresh}}},
		{"xoauth2 accepted", oauthServer{[]string{"XOAUTH2"}, oauthFresh, "invalid_token"},
			oauthLogon{auth: "xoauth2", cr: src(oauthFresh, "")},
			want{mechs: []string{"XOAUTH2"}, tokens: []string{oauthFresh}}},
		// An OAuth 2.0 section never logs on with its password, whatever
		// the server offers first.
		{"auto prefers oauthbearer", oauthServer{all, oauthFresh, "invalid_token"},
			oauthLogon{auth: "auto", cr: src(oauthFresh, "")},
			want{mechs: []string{"OAUTHBEARER"}, tokens: []string{oauthFresh}}},
		{"auto xoauth2 when alone", oauthServer{[]string{"PLAIN", "XOAUTH2"}, oauthFresh, "invalid_token"},
			oauthLogon{auth: "", cr: src(oauthFresh, "")},
			want{mechs: []string{"XOAUTH2"}, tokens: []string{oauthFresh}}},
		{"auto without token mechanism", oauthServer{[]string{"PLAIN"}, oauthFresh, "invalid_token"},
			oauthLogon{auth: "auto", cr: src(oauthFresh, "")},
			want{fails: true, kind: KindPermanent, contains: "neither OAUTHBEARER nor XOAUTH2"}},
		{"oauthbearer refreshed", oauthServer{[]string{"OAUTHBEARER"}, oauthFresh, "invalid_token"},
			oauthLogon{auth: "auto", cr: src(oauthStale, oauthFresh)},
			want{mechs: []string{"OAUTHBEARER", "OAUTHBEARER"}, tokens: []string{oauthStale, oauthFresh},
				refused: []string{oauthStale}}},
		{"xoauth2 refreshed", oauthServer{[]string{"XOAUTH2"}, oauthFresh, "400"},
			oauthLogon{auth: "xoauth2", cr: src(oauthStale, oauthFresh)},
			want{mechs: []string{"XOAUTH2", "XOAUTH2"}, tokens: []string{oauthStale, oauthFresh},
				refused: []string{oauthStale}}},
		{"oauthbearer refused twice", oauthServer{all, oauthFresh, "invalid_token"},
			oauthLogon{auth: "auto", cr: src(oauthStale, oauthBad)},
			want{mechs: []string{"OAUTHBEARER", "OAUTHBEARER"}, tokens: []string{oauthStale, oauthBad},
				refused: []string{oauthStale}, fails: true, kind: KindAuth,
				contains: "the server refused the OAuth 2.0 token (status invalid_token)", hint: true}},
		{"xoauth2 refused twice", oauthServer{[]string{"XOAUTH2"}, oauthFresh, "400"},
			oauthLogon{auth: "auto", cr: src(oauthStale, oauthBad)},
			want{mechs: []string{"XOAUTH2", "XOAUTH2"}, tokens: []string{oauthStale, oauthBad},
				refused: []string{oauthStale}, fails: true, kind: KindAuth,
				contains: "the server refused the OAuth 2.0 token (status 400)", hint: true}},
		// A static token (oauth2-token) cannot be refreshed.
		{"static token refused", oauthServer{all, oauthFresh, "invalid_token"},
			oauthLogon{auth: "oauthbearer", cr: Credentials{Username: oauthUser, OAuth2Token: oauthStale}},
			want{mechs: []string{"OAUTHBEARER"}, tokens: []string{oauthStale}, fails: true, kind: KindAuth,
				contains: "the server refused the OAuth 2.0 token (status invalid_token)"}},
		// The provider answers slower than a step may take: the
		// connection must not time out meanwhile.
		{"slow provider", oauthServer{[]string{"OAUTHBEARER"}, oauthFresh, "invalid_token"},
			oauthLogon{auth: "auto", timeout: 400 * time.Millisecond, cr: Credentials{Username: oauthUser,
				OAuth2: &fakeSource{token: oauthStale, fresh: oauthFresh, delay: 700 * time.Millisecond}}},
			want{mechs: []string{"OAUTHBEARER", "OAUTHBEARER"}, tokens: []string{oauthStale, oauthFresh},
				refused: []string{oauthStale}}},
	} {
		for _, p := range oauthProtos {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				l := tc.l
				fs, _ := l.cr.OAuth2.(*fakeSource)
				if fs != nil { // a source of this run's own
					fs = &fakeSource{token: fs.token, fresh: fs.fresh, delay: fs.delay}
					l.cr.OAuth2 = fs
				}
				run := p.logon(t, tc.srv, l)
				checkNoLeak(t, run)
				w := tc.want
				if !w.fails && run.err != nil {
					t.Fatalf("logon: %v", run.err)
				}
				if w.fails {
					e := wantErr(t, run.err, w.kind, StageAuth)
					if !strings.Contains(e.Message, w.contains) {
						t.Fatalf("message %q lacks %q", e.Message, w.contains)
					}
					if got := slices.Contains(e.Hints, refreshHint); got != w.hint {
						t.Fatalf("hints %q: refresh hint %v, want %v", e.Hints, got, w.hint)
					}
					if me, _ := MAPIError(run.err, ""); w.kind == KindAuth && me.ExitStatus() != 77 {
						t.Fatalf("exit %d, want 77", me.ExitStatus())
					}
				}
				mechs, tokens, bad := run.rec.seen()
				if !slices.Equal(mechs, w.mechs) || !slices.Equal(tokens, w.tokens) {
					t.Fatalf("server saw mechanisms %q tokens %q; want %q %q", mechs, tokens, w.mechs, w.tokens)
				}
				if len(bad) != 0 {
					t.Fatalf("answers to the error challenge against RFC 7628: %q", bad)
				}
				if fs != nil {
					n, refused := fs.calls()
					if wantN := min(len(w.mechs), 1); n != wantN || !slices.Equal(refused, w.refused) {
						t.Fatalf("Token called %d times, Refresh with %q; want %d, %q", n, refused, wantN, w.refused)
					}
				}
				// Each AUTH the client sent, the retry's too, went
				// through the redacting transcript.
				for _, m := range w.mechs {
					if n := clientLines(run.transcript, m); n != len(w.mechs) {
						t.Fatalf("transcript shows %d %s commands, want %d:\n%s", n, m, len(w.mechs), run.transcript)
					}
				}
			})
		}
	}
}

// A failure of the TokenSource is an *Error of stage auth whose Kind
// follows its MAPI code, with its message and hints, wrapping it, and the
// command keeps its code and exit (a corrupt token file 65, not 69); no
// AUTH is sent when there is no token.
func TestOAuth2TokenSourceErrors(t *testing.T) {
	for _, tc := range []struct {
		code mapi.Code
		kind Kind
		exit int // of the command, MAPIError's
		// want is the command's code when not tc.code: an interrupted
		// refresh is an interrupted delivery (75, MAPI_E_NETWORK_ERROR).
		want mapi.Code
	}{
		{mapi.LogonFailed, KindAuth, 77, mapi.Code{}},
		{mapi.NoAccess, KindAuth, 77, mapi.Code{}},
		{mapi.Unconfigured, KindConfig, 78, mapi.Code{}},
		{mapi.NetworkError, KindTemporary, 75, mapi.Code{}},
		{mapi.Busy, KindTemporary, 75, mapi.Code{}},
		{mapi.UserCancel, KindTemporary, 75, mapi.NetworkError},
		{mapi.CorruptData, KindLocal, 65, mapi.Code{}},
		{mapi.DiskError, KindLocal, 74, mapi.Code{}},
		{mapi.CallFailed, KindLocal, 70, mapi.Code{}},
		{mapi.InvalidParameter, KindLocal, 64, mapi.Code{}},
		{mapi.NotFound, KindPermanent, 66, mapi.Code{}},
	} {
		for _, refresh := range []bool{false, true} {
			for _, p := range oauthProtos {
				name := p.name + "/" + tc.code.Name
				if refresh {
					name += "/refresh"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					orig := mapi.Errorf(tc.code, "token file of section mx: boom").WithHint("do this next")
					fs := &fakeSource{token: oauthStale}
					if refresh {
						fs.refreshErr = orig
					} else {
						fs.tokenErr = orig
					}
					run := p.logon(t, oauthServer{[]string{"OAUTHBEARER"}, oauthFresh, "invalid_token"},
						oauthLogon{auth: "auto", cr: Credentials{Username: oauthUser, OAuth2: fs}})
					e := wantErr(t, run.err, tc.kind, StageAuth)
					var me *mapi.Error
					if !errors.As(run.err, &me) || me != orig {
						t.Fatalf("errors.As finds %v, want the TokenSource's error", me)
					}
					if e.Message != orig.Msg || !slices.Equal(e.Hints, orig.Hints) {
						t.Fatalf("message %q hints %q, want the TokenSource's", e.Message, e.Hints)
					}
					// The command ends with the TokenSource's code and exit
					// (a network error without its own exit: 75).
					want := tc.code
					if tc.want.Name != "" {
						want = tc.want
					}
					if ce, _ := MAPIError(run.err, "x"); ce.Code != want || ce.ExitStatus() != tc.exit {
						t.Fatalf("MAPIError: %s exit %d, want %s exit %d", ce.Code.Name, ce.ExitStatus(), want.Name, tc.exit)
					}
					_, tokens, _ := run.rec.seen()
					if want := map[bool]int{false: 0, true: 1}[refresh]; len(tokens) != want {
						t.Fatalf("server saw %d tokens, want %d", len(tokens), want)
					}
				})
			}
		}
	}
}

// The status of an error challenge reaches the error as the server gave
// it, a string or a number, cut and stripped of control characters.
func TestChallengeStatus(t *testing.T) {
	for in, want := range map[string]string{
		`{"status":"invalid_token","schemes":"bearer","scope":"x"}`: "invalid_token",
		`{"status":400,"schemes":"Bearer"}`:                         "400",
		`{"status":"a\u001b[31mb"}`:                                 "a[31mb",
		`{"status":"` + strings.Repeat("x", 100) + `"}`:             strings.Repeat("x", 64),
		`{"status":{"nested":1}}`:                                   "",
		`{"schemes":"bearer"}`:                                      "",
		`not json`:                                                  "",
		``:                                                          "",
	} {
		if got := challengeStatus([]byte(in)); got != want {
			t.Errorf("challengeStatus(%q) = %q, want %q", in, got, want)
		}
	}
}

// OAUTHBEARER's initial response (RFC 7628 §3.1) with the authzid encoded
// (RFC 5801 §4); the error challenge is answered with %x01, once.
func TestOAuthBearerClient(t *testing.T) {
	c := newTokenClient("oauthbearer", "a,b=c", "T0K", "mail.example", 993)
	mech, ir, err := c.Start()
	if want := "n,a=a=2Cb=3Dc,\x01host=mail.example\x01port=993\x01auth=Bearer T0K\x01\x01"; err != nil ||
		mech != "OAUTHBEARER" || string(ir) != want {
		t.Fatalf("Start = %q %q %v, want %q", mech, ir, err, want)
	}
	resp, err := c.Next([]byte(`{"status":"invalid_token"}`))
	if err != nil || string(resp) != "\x01" || c.status() != "invalid_token" {
		t.Fatalf("Next = %q %v, status %q", resp, err, c.status())
	}
	if _, err := c.Next([]byte(`{}`)); err == nil {
		t.Fatal("a second challenge was answered")
	}
}

// A server that closes the connection after refusing the token: the
// refreshed token cannot be presented on it, and the failure of the retry
// is what the logon reports (temporary: a later attempt presents the
// refreshed token).
func TestOAuth2RetryOnClosedConnection(t *testing.T) {
	f := newPOP3Fake(t, newTestCert(t), func(f *pop3Fake) {
		f.implicitTLS, f.sasl, f.token, f.dropOnAUTH = true, []string{"OAUTHBEARER"}, oauthFresh, true
	})
	fs := &fakeSource{token: oauthStale, fresh: oauthFresh}
	cfg := f.config()
	cfg.Credentials = Credentials{Username: oauthUser, OAuth2: fs}
	_, err := DialPOP3(context.Background(), cfg)
	wantErr(t, err, KindTemporary, StageAuth)
	if _, refused := fs.calls(); !slices.Equal(refused, []string{oauthStale}) {
		t.Fatalf("Refresh got %q, want the stale token once", refused)
	}
	if _, tokens, _ := f.tokens.seen(); !slices.Equal(tokens, []string{oauthStale}) {
		t.Fatalf("server saw %q", tokens)
	}
}

// An OAuth 2.0 logon to IMAP without a user name is a setting to fix
// (78), found before any token is fetched.
func TestOAuth2IMAPNeedsUser(t *testing.T) {
	fs := &fakeSource{token: oauthFresh}
	run := oauthProtos[1].logon(t, oauthServer{[]string{"OAUTHBEARER"}, oauthFresh, "invalid_token"},
		oauthLogon{auth: "auto", cr: Credentials{OAuth2: fs}})
	wantErr(t, run.err, KindConfig, StageAuth)
	if n, _ := fs.calls(); n != 0 {
		t.Fatalf("Token called %d times", n)
	}
}
