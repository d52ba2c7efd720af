package transport

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
)

// pop3Fake is an in-process POP3 server (RFC 1939, 2449 CAPA, 2595 STLS,
// 5034 SASL PLAIN and SCRAM-SHA-256) over one shared maildrop, with knobs
// for the failures the client must handle.
type pop3Fake struct {
	t    *testing.T
	ln   net.Listener
	cert *testCert

	implicitTLS bool     // TLS from the first byte (port 995 style)
	noCapa      bool     // CAPA unknown (an RFC 1939 server)
	noUIDL      bool     // UIDL unknown
	noSTLS      bool     // STLS not offered
	pipelining  bool     // PIPELINING offered
	sasl        []string // SASL mechanisms offered
	renumber    bool     // each session gives every message a new UIDL
	stallOn     string   // a command verb the server never answers
	afterSTLS   string   // plaintext sent right after STLS's +OK
	dropInRETR  bool     // close the connection halfway through a message
	dropOnAUTH  bool     // close the connection after refusing an AUTH
	user, pass  string
	token       string // the bearer token XOAUTH2 and OAUTHBEARER accept
	oauthStatus string // of their error challenge
	tokens      tokenRecord

	mu       sync.Mutex
	msgs     []*pop3FakeMsg
	lines    []string // every command line received, in order
	sessions int
}

type pop3FakeMsg struct {
	uidl string
	data []byte
}

func newPOP3Fake(t *testing.T, cert *testCert, configure func(f *pop3Fake)) *pop3Fake {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &pop3Fake{t: t, ln: ln, cert: cert, user: "alice", pass: "s3cret-Pa55", token: "tok-123", oauthStatus: "invalid_token"}
	if configure != nil {
		configure(f)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				f.serve(c)
			}()
		}
	}()
	return f
}

// add puts messages into the maildrop with UIDLs "u1", "u2", ...
func (f *pop3Fake) add(msgs ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range msgs {
		f.msgs = append(f.msgs, &pop3FakeMsg{uidl: "u" + strconv.Itoa(len(f.msgs)+1), data: []byte(m)})
	}
}

// uidls returns the UIDLs in the maildrop.
func (f *pop3Fake) uidls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var u []string
	for _, m := range f.msgs {
		u = append(u, m.uidl)
	}
	return u
}

// commands returns the verbs of every command line received.
func (f *pop3Fake) commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var v []string
	for _, l := range f.lines {
		v = append(v, strings.ToUpper(strings.Fields(l + " x")[0]))
	}
	return v
}

// received returns every command line received, joined.
func (f *pop3Fake) received() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.lines, "\n")
}

func (f *pop3Fake) port() int { return f.ln.Addr().(*net.TCPAddr).Port }

// config is a client configuration for the fake: TLS as the fake does it,
// the fake's CA trusted, its credentials.
func (f *pop3Fake) config() InboundConfig {
	c := InboundConfig{Protocol: "pop3", Host: "127.0.0.1", Port: f.port(), Security: "starttls",
		Credentials: Credentials{Username: f.user, Password: f.pass}}
	if f.implicitTLS {
		c.Security = "tls"
	}
	if f.cert != nil {
		c.CAFile = f.cert.caFile
	}
	return c
}

// pop3FakeSession is one connection's state.
type pop3FakeSession struct {
	f       *pop3Fake
	conn    net.Conn
	tp      *textproto.Conn
	tls     bool
	authed  bool
	user    string
	view    []*pop3FakeMsg // the maildrop as of logon
	uidl    []string
	deleted map[int]bool
}

func (f *pop3Fake) serve(c net.Conn) {
	s := &pop3FakeSession{f: f, conn: c, deleted: map[int]bool{}}
	if f.implicitTLS {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{f.cert.tls}})
		if tc.Handshake() != nil {
			return
		}
		s.conn, s.tls = tc, true
	}
	s.tp = textproto.NewConn(s.conn)
	s.reply("+OK fake pop3 ready <1.2@fake>")
	for {
		l, err := s.tp.ReadLine()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.lines = append(f.lines, l)
		f.mu.Unlock()
		verb, arg, _ := strings.Cut(l, " ")
		verb = strings.ToUpper(verb)
		if verb == f.stallOn {
			for {
				if _, err := s.tp.ReadLine(); err != nil {
					return
				}
			}
		}
		if !s.command(verb, arg) {
			return
		}
	}
}

func (s *pop3FakeSession) reply(l string) { s.tp.PrintfLine("%s", l) }

// command handles one command; false ends the connection.
func (s *pop3FakeSession) command(verb, arg string) bool {
	f := s.f
	switch verb {
	case "CAPA":
		if f.noCapa {
			s.reply("-ERR unknown command")
			return true
		}
		caps := []string{"+OK capability list follows", "TOP", "USER", "RESP-CODES", "AUTH-RESP-CODE"}
		if !f.noUIDL {
			caps = append(caps, "UIDL")
		}
		if f.pipelining {
			caps = append(caps, "PIPELINING")
		}
		if !f.noSTLS && !s.tls && f.cert != nil && !s.authed {
			caps = append(caps, "STLS")
		}
		if len(f.sasl) > 0 && !s.authed {
			caps = append(caps, "SASL "+strings.Join(f.sasl, " "))
		}
		s.reply(strings.Join(append(caps, "."), "\r\n"))
	case "STLS":
		if f.noSTLS || s.tls || f.cert == nil {
			s.reply("-ERR no")
			return true
		}
		s.tp.PrintfLine("+OK begin tls%s", f.afterSTLS)
		tc := tls.Server(s.conn, &tls.Config{Certificates: []tls.Certificate{f.cert.tls}})
		if tc.Handshake() != nil {
			return false
		}
		s.conn, s.tls = tc, true
		s.tp = textproto.NewConn(tc)
	case "USER":
		s.user = arg
		s.reply("+OK")
	case "PASS":
		s.logon(s.user == f.user && arg == f.pass)
	case "AUTH":
		return s.auth(arg)
	case "UIDL":
		if !s.authed || f.noUIDL {
			s.reply("-ERR unknown command")
			return true
		}
		s.listing(func(i int, m *pop3FakeMsg) string { return s.uidl[i] })
	case "LIST":
		if !s.authed {
			s.reply("-ERR not logged on")
			return true
		}
		s.listing(func(i int, m *pop3FakeMsg) string { return strconv.Itoa(len(m.data)) })
	case "RETR":
		m, ok := s.message(arg)
		if !ok {
			return true
		}
		var b bytes.Buffer
		b.WriteString("+OK " + strconv.Itoa(len(m.data)) + " octets\r\n")
		for _, l := range bytes.SplitAfter(m.data, []byte("\n")) {
			if len(l) > 0 && l[0] == '.' {
				b.WriteByte('.')
			}
			b.Write(l)
		}
		if len(m.data) > 0 && m.data[len(m.data)-1] != '\n' {
			b.WriteString("\r\n")
		}
		b.WriteString(".\r\n")
		if f.dropInRETR {
			s.conn.Write(b.Bytes()[:b.Len()/2])
			return false
		}
		s.tp.W.Write(b.Bytes())
		s.tp.W.Flush()
	case "DELE":
		n, _ := strconv.Atoi(arg)
		if _, ok := s.message(arg); ok {
			s.deleted[n] = true
			s.reply("+OK marked")
		}
	case "RSET":
		s.deleted = map[int]bool{}
		s.reply("+OK")
	case "NOOP":
		s.reply("+OK")
	case "QUIT":
		if s.authed {
			f.mu.Lock()
			var keep []*pop3FakeMsg
			for _, m := range f.msgs {
				gone := false
				for i, v := range s.view {
					gone = gone || (v == m && s.deleted[i+1])
				}
				if !gone {
					keep = append(keep, m)
				}
			}
			f.msgs = keep
			f.mu.Unlock()
		}
		s.reply("+OK bye")
		return false
	default:
		s.reply("-ERR unknown command")
	}
	return true
}

// logon enters the TRANSACTION state on success.
func (s *pop3FakeSession) logon(ok bool) {
	if !ok {
		s.reply("-ERR [AUTH] invalid credentials")
		return
	}
	f := s.f
	f.mu.Lock()
	f.sessions++
	s.view = append([]*pop3FakeMsg(nil), f.msgs...)
	for _, m := range s.view {
		u := m.uidl
		if f.renumber {
			u = "s" + strconv.Itoa(f.sessions) + "-" + u
		}
		s.uidl = append(s.uidl, u)
	}
	f.mu.Unlock()
	s.authed = true
	s.reply("+OK logged on")
}

// auth runs AUTH PLAIN, SCRAM-SHA-256, XOAUTH2 or OAUTHBEARER (RFC 5034).
func (s *pop3FakeSession) auth(arg string) bool {
	mech, ir, hasIR := strings.Cut(arg, " ")
	mech = strings.ToUpper(mech)
	s.f.tokens.tried(mech)
	ok := false
	var srv sasl.Server
	switch mech {
	case "PLAIN":
		srv = sasl.NewPlainServer(func(identity, user, pass string) error {
			if user == s.f.user && pass == s.f.pass {
				ok = true
				return nil
			}
			return errors.New("bad")
		})
	case "SCRAM-SHA-256":
		srv = &scramServer{user: s.f.user, pass: s.f.pass, ok: func() { ok = true }}
	case "XOAUTH2", "OAUTHBEARER":
		srv = &tokenServer{mech: mech, user: s.f.user, want: s.f.token, status: s.f.oauthStatus,
			ok: func() { ok = true }, refused: errors.New("refused"), rec: &s.f.tokens}
	default:
		s.reply("-ERR unsupported mechanism")
		return true
	}
	var resp []byte
	if hasIR {
		if ir != "=" {
			resp, _ = base64.StdEncoding.DecodeString(ir)
		} else {
			resp = []byte{}
		}
	}
	for {
		ch, done, err := srv.Next(resp)
		if err != nil {
			s.logon(false)
			return !s.f.dropOnAUTH
		}
		if done {
			s.logon(ok)
			return true
		}
		s.reply("+ " + base64.StdEncoding.EncodeToString(ch))
		l, err := s.tp.ReadLine()
		if err != nil {
			return false
		}
		s.f.mu.Lock()
		s.f.lines = append(s.f.lines, l)
		s.f.mu.Unlock()
		if l == "*" {
			s.reply("-ERR cancelled")
			return true
		}
		resp, err = base64.StdEncoding.DecodeString(l)
		if err != nil {
			s.reply("-ERR bad base64")
			return true
		}
	}
}

// listing answers UIDL or LIST for every message not marked deleted.
func (s *pop3FakeSession) listing(field func(i int, m *pop3FakeMsg) string) {
	var b strings.Builder
	b.WriteString("+OK\r\n")
	for i, m := range s.view {
		if !s.deleted[i+1] {
			b.WriteString(strconv.Itoa(i+1) + " " + field(i, m) + "\r\n")
		}
	}
	b.WriteString(".")
	s.reply(b.String())
}

// message looks up message number arg, replying -ERR when there is none.
func (s *pop3FakeSession) message(arg string) (*pop3FakeMsg, bool) {
	n, err := strconv.Atoi(arg)
	if !s.authed || err != nil || n < 1 || n > len(s.view) || s.deleted[n] {
		s.reply("-ERR no such message")
		return nil, false
	}
	return s.view[n-1], true
}
