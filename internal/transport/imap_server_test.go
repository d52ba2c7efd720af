package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
)

// imapTestServer is go-imap's imapserver over imapmemserver on
// 127.0.0.1:0, with one user (alice) and an INBOX; it records what
// clients send it and the SASL mechanisms they used.
type imapTestServer struct {
	addr string
	cert *testCert
	mem  *imapmemserver.Server
	user *imapmemserver.User
	srv  *imapserver.Server

	mu    sync.Mutex
	recv  bytes.Buffer // what clients sent (and the server answered)
	mechs []string

	sasl        []string // mechanisms the SASL session offers
	token       string   // the bearer token it accepts
	oauthStatus string   // of its error challenge
	tokens      tokenRecord
}

const imapTestUser, imapTestPass = "alice", "s3cr3t-pässword"

// imapServerOpts configures startIMAPServer.
type imapServerOpts struct {
	security string      // "tls", "starttls" (offered) or "none" (no TLS at all)
	caps     imap.CapSet // nil: IMAP4rev1 and UIDPLUS
	scram    bool        // offer SCRAM-SHA-256, PLAIN and XOAUTH2 (else PLAIN alone)
	// sasl, when set, are the mechanisms offered instead of scram's (any
	// of SCRAM-SHA-256, PLAIN, XOAUTH2, OAUTHBEARER).
	sasl []string
	// token is the bearer token XOAUTH2 and OAUTHBEARER accept ("" is
	// tok-123); others get an error challenge of status oauthStatus
	// ("" is invalid_token).
	token, oauthStatus string
}

func startIMAPServer(t *testing.T, o imapServerOpts) *imapTestServer {
	t.Helper()
	ts := &imapTestServer{cert: newTestCert(t), mem: imapmemserver.New(),
		sasl: o.sasl, token: o.token, oauthStatus: o.oauthStatus}
	if ts.sasl == nil {
		ts.sasl = []string{"SCRAM-SHA-256", "PLAIN", "XOAUTH2"}
	}
	if ts.token == "" {
		ts.token = "tok-123"
	}
	if ts.oauthStatus == "" {
		ts.oauthStatus = "invalid_token"
	}
	ts.user = imapmemserver.NewUser(imapTestUser, imapTestPass)
	if err := ts.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	ts.mem.AddUser(ts.user)
	caps := o.caps
	if caps == nil {
		caps = imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}}
	}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{ts.cert.tls}}
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			sess := ts.mem.NewSession()
			if o.scram || o.sasl != nil {
				return &imapSASLSession{Session: sess, ts: ts}, nil, nil
			}
			return sess, nil, nil
		},
		Caps:         caps,
		Logger:       log{t},
		InsecureAuth: o.security == "tls" || o.security == "none",
		DebugWriter:  imapLockedWriter{ts},
	}
	if o.security == "starttls" {
		opts.TLSConfig = tlsCfg
	}
	ts.srv = imapserver.New(opts)
	var ln net.Listener
	var err error
	if o.security == "tls" {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", tlsCfg)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = ln.Addr().String()
	go ts.srv.Serve(ln)
	t.Cleanup(func() { ts.srv.Close() })
	return ts
}

// imapLockedWriter appends to the server's record.
type imapLockedWriter struct{ ts *imapTestServer }

func (w imapLockedWriter) Write(p []byte) (int, error) {
	w.ts.mu.Lock()
	defer w.ts.mu.Unlock()
	return w.ts.recv.Write(p)
}

// received returns what the server saw (both directions, as go-imap's
// DebugWriter gives them).
func (ts *imapTestServer) received() string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.recv.String()
}

// appendMsg stores msg in INBOX and returns its UID.
func (ts *imapTestServer) appendMsg(t testing.TB, msg []byte) imap.UID {
	t.Helper()
	data, err := ts.user.Append("INBOX", imapLiteral{bytes.NewReader(msg), int64(len(msg))}, &imap.AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return data.UID
}

type imapLiteral struct {
	*bytes.Reader
	n int64
}

func (l imapLiteral) Size() int64 { return l.n }

// config returns an InboundConfig for ts with the test credentials and
// the test certificate trusted.
func (ts *imapTestServer) config(security string) InboundConfig {
	host, port, _ := net.SplitHostPort(ts.addr)
	return InboundConfig{Protocol: "imap", Host: host, Port: atoiPort(port), Security: security,
		CAFile: ts.cert.caFile, Credentials: Credentials{Username: imapTestUser, Password: imapTestPass},
		Timeout: 5 * time.Second}
}

func atoiPort(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// imapSASLSession offers the server's SASL mechanisms over an
// imapmemserver session, recording the mechanism used.
type imapSASLSession struct {
	imapserver.Session
	ts *imapTestServer
}

func (s *imapSASLSession) AuthenticateMechanisms() []string {
	return s.ts.sasl
}

func (s *imapSASLSession) Authenticate(mech string) (sasl.Server, error) {
	srv, err := s.authenticate(mech)
	return imapRefusal{srv}, err
}

// imapRefusal answers a failed SASL exchange as real servers do: NO
// [AUTHENTICATIONFAILED] (the SMTP test servers' errors would be SERVERBUG).
type imapRefusal struct{ sasl.Server }

func (r imapRefusal) Next(resp []byte) ([]byte, bool, error) {
	ch, done, err := r.Server.Next(resp)
	if err != nil {
		err = imapserver.ErrAuthFailed
	}
	return ch, done, err
}

func (s *imapSASLSession) authenticate(mech string) (sasl.Server, error) {
	s.ts.mu.Lock()
	s.ts.mechs = append(s.ts.mechs, mech)
	s.ts.mu.Unlock()
	s.ts.tokens.tried(mech)
	switch mech {
	case "SCRAM-SHA-256":
		return &scramServer{user: imapTestUser, pass: imapTestPass, ok: func() {
			s.Session.Login(imapTestUser, imapTestPass)
		}}, nil
	case "XOAUTH2", "OAUTHBEARER":
		return &tokenServer{mech: mech, user: imapTestUser, want: s.ts.token, status: s.ts.oauthStatus,
			ok: func() { s.Session.Login(imapTestUser, imapTestPass) }, refused: errors.New("refused"),
			rec: &s.ts.tokens}, nil
	case "PLAIN":
		return sasl.NewPlainServer(func(_, u, p string) error { return s.Session.Login(u, p) }), nil
	}
	return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "unsupported"}
}

// dialIMAP dials with cfg under a 10 s context and registers Close.
func dialIMAP(t *testing.T, cfg InboundConfig) *IMAPMailbox {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := DialIMAP(ctx, cfg)
	if err != nil {
		t.Fatalf("DialIMAP: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// fetchAll fetches ids and returns the bytes delivered per id.
func fetchAll(t *testing.T, m *IMAPMailbox, ids []string) map[string][]byte {
	t.Helper()
	got := map[string][]byte{}
	err := m.Fetch(context.Background(), ids, func(id string, r io.Reader) error {
		var b bytes.Buffer
		_, err := b.ReadFrom(r)
		got[id] = b.Bytes()
		return err
	})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	return got
}
