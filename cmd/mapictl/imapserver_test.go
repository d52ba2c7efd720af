package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/rogpeppe/go-internal/testscript"
)

func init() { testCmds["imapserver"] = cmdIMAPServer }

// The fixed credentials the test IMAP and POP3 servers accept.
const (
	imapTestUser = "dana"
	imapTestPass = "imap-Pw-7c1"
)

var imapServers sync.Map // *testscript.TestScript -> *imapmemserver.User

// cmdIMAPServer: imapserver N — start go-imap's imapserver over
// imapmemserver on 127.0.0.1:0 with implicit TLS (a certificate made
// here), IMAP4rev1, UIDPLUS and IDLE, user $IMAP_USER/$IMAP_PASS with N
// messages in INBOX (message K has Subject "message K" and a body with a
// leading dot, a bare CR and 8-bit text); export $IMAP_PORT and $IMAP_CA.
// `imapserver append N` adds N more; `imapserver count` prints how many
// messages INBOX holds; `imapserver recreate` deletes INBOX and creates it
// again (a new UIDVALIDITY), empty.
func cmdIMAPServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: imapserver N | append N | count | recreate")
	}
	if u, ok := imapServers.Load(ts); ok {
		user := u.(*imapmemserver.User)
		switch args[0] {
		case "append":
			imapAppend(ts, user, args[1:])
		case "count":
			st, err := user.Status("INBOX", &imap.StatusOptions{NumMessages: true})
			ts.Check(err)
			fmt.Fprintf(ts.Stdout(), "%d\n", *st.NumMessages)
		case "recreate":
			ts.Check(user.Delete("INBOX"))
			ts.Check(user.Create("INBOX", nil))
		default:
			ts.Fatalf("imapserver: already running")
		}
		return
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	cert, caPEM := smtpTestCert(ts)
	ca := ts.MkAbs("imap-ca.pem")
	ts.Check(os.WriteFile(ca, caPEM, 0o600))
	user, srv, l, err := startMemIMAP(cert, n)
	ts.Check(err)
	ts.Defer(func() { srv.Close(); imapServers.Delete(ts) })
	imapServers.Store(ts, user)
	ts.Setenv("IMAP_PORT", strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	ts.Setenv("IMAP_CA", ca)
	ts.Setenv("IMAP_USER", imapTestUser)
	ts.Setenv("IMAP_PASS", imapTestPass)
}

// testMessage is message k of the test servers: 8-bit header, a line
// with a leading dot, a bare CR.
func testMessage(k int) []byte {
	return fmt.Appendf(nil, "From: Caf\xc3\xa9 <cafe@example.com>\r\nTo: dana@example.com\r\nSubject: message %d\r\nMessage-ID: <same@example.com>\r\n\r\n.leading dot\r\nbare\rCR\r\nbody %d\r\n", k, k)
}

func imapAppend(ts *testscript.TestScript, user *imapmemserver.User, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: imapserver append N")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	ts.Check(appendTestMessages(user, n))
}

// appendTestMessages appends n test messages to user's INBOX, numbered
// after those it holds.
func appendTestMessages(user *imapmemserver.User, n int) error {
	st, err := user.Status("INBOX", &imap.StatusOptions{NumMessages: true})
	if err != nil {
		return err
	}
	base := int(*st.NumMessages)
	for k := 1; k <= n; k++ {
		msg := testMessage(base + k)
		if _, err := user.Append("INBOX", literal{bytes.NewReader(msg), int64(len(msg))}, &imap.AppendOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// startMemIMAP serves imapmemserver with implicit TLS (cert) on
// 127.0.0.1:0: IMAP4rev1, UIDPLUS and IDLE, one user with n messages in
// INBOX. The caller closes srv.
func startMemIMAP(cert tls.Certificate, n int) (*imapmemserver.User, *imapserver.Server, net.Listener, error) {
	user := imapmemserver.NewUser(imapTestUser, imapTestPass)
	if err := user.Create("INBOX", nil); err != nil {
		return nil, nil, nil, err
	}
	if err := appendTestMessages(user, n); err != nil {
		return nil, nil, nil, err
	}
	mem := imapmemserver.New()
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}, imap.CapIdle: {}},
		Logger:       discardLogger{},
		InsecureAuth: true, // the listener is TLS itself
	})
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		return nil, nil, nil, err
	}
	go srv.Serve(l)
	return user, srv, l, nil
}

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}
