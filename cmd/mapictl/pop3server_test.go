package main

import (
	"fmt"
	"net"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/rogpeppe/go-internal/testscript"
)

func init() { testCmds["pop3server"] = cmdPOP3Server }

// scriptPOP3 is one script's POP3 maildrop.
type scriptPOP3 struct {
	mu     sync.Mutex
	msgs   [][]byte
	uidls  []string
	nextID int
	noUIDL bool
	// token, when set, makes it a server of OAuth 2.0 tokens: CAPA lists
	// SASL OAUTHBEARER XOAUTH2 and AUTH runs the server token gives for
	// the mechanism (oauth2_servers_test.go).
	token func(mech string) sasl.Server
	// expunged makes a session answer RETR and DELE of a message another
	// session deleted since its logon as Dovecot does ("-ERR Message N
	// expunged."); else it still serves it from its logon's listing.
	expunged bool
	// quitDelay is how long a QUIT with deletions waits before it applies
	// them (a window for another session to log on meanwhile).
	quitDelay time.Duration
	// logons counts the sessions that logged on.
	logons int
}

var pop3Servers sync.Map // *testscript.TestScript -> *scriptPOP3

// cmdPOP3Server: pop3server N [nouidl] — start a plain-text POP3 fake
// (RFC 1939: USER/PASS, CAPA with UIDL unless nouidl, UIDL, LIST, RETR
// dot-stuffed, DELE final at QUIT; a session keeps the listing of its
// logon) on 127.0.0.1:0 with N test messages for $IMAP_USER/$IMAP_PASS;
// export $POP3_PORT. `pop3server append N` adds N more; `pop3server
// count` prints how many it holds; `pop3server logons` how many sessions
// logged on, `pop3server waitlogons N` waits (10 s at most) until N
// have; `pop3server expunged on|off` sets expunged; `pop3server
// quitdelay DURATION` sets quitDelay.
func cmdPOP3Server(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: pop3server N [nouidl] | append N | count | logons | waitlogons N | expunged on|off | quitdelay D")
	}
	if v, ok := pop3Servers.Load(ts); ok {
		s := v.(*scriptPOP3)
		if args[0] == "waitlogons" {
			n, err := strconv.Atoi(args[1])
			ts.Check(err)
			for end := time.Now().Add(10 * time.Second); s.logonCount() < n; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(end) {
					ts.Fatalf("pop3server: %d logons after 10 s, want %d", s.logonCount(), n)
				}
			}
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		switch args[0] {
		case "append":
			n, err := strconv.Atoi(args[1])
			ts.Check(err)
			s.addLocked(n)
		case "count":
			fmt.Fprintf(ts.Stdout(), "%d\n", len(s.msgs))
		case "logons":
			fmt.Fprintf(ts.Stdout(), "%d\n", s.logons)
		case "expunged":
			s.expunged = args[1] == "on"
		case "quitdelay":
			d, err := time.ParseDuration(args[1])
			ts.Check(err)
			s.quitDelay = d
		default:
			ts.Fatalf("pop3server: already running")
		}
		return
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	s, port, stop, err := startPOP3(n, len(args) > 1 && args[1] == "nouidl")
	ts.Check(err)
	ts.Defer(func() { stop(); pop3Servers.Delete(ts) })
	pop3Servers.Store(ts, s)
	ts.Setenv("POP3_PORT", port)
	ts.Setenv("IMAP_USER", imapTestUser)
	ts.Setenv("IMAP_PASS", imapTestPass)
}

// startPOP3 starts a scriptPOP3 with n test messages on 127.0.0.1:0 and
// returns it, its port and the function that stops it.
func startPOP3(n int, noUIDL bool) (*scriptPOP3, string, func(), error) {
	s := &scriptPOP3{noUIDL: noUIDL}
	s.add(n)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s, strconv.Itoa(l.Addr().(*net.TCPAddr).Port), func() { l.Close() }, nil
}

func (s *scriptPOP3) add(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addLocked(n)
}

func (s *scriptPOP3) addLocked(n int) {
	for range n {
		s.nextID++
		s.msgs = append(s.msgs, testMessage(s.nextID))
		s.uidls = append(s.uidls, "uid-"+strconv.Itoa(s.nextID))
	}
}

// serve runs one session: the maildrop as of PASS, deletions at QUIT.
func (s *scriptPOP3) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	tp.PrintfLine("+OK fake pop3 ready")
	var (
		user   string
		authed bool
		msgs   [][]byte
		uidls  []string
		del    = map[int]bool{}
	)
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		num := func() (int, bool) {
			k, err := strconv.Atoi(arg)
			if err != nil || k < 1 || k > len(msgs) || del[k] {
				tp.PrintfLine("-ERR no such message")
				return 0, false
			}
			if s.gone(uidls[k-1]) {
				tp.PrintfLine("-ERR Message %d expunged.", k)
				return 0, false
			}
			return k, true
		}
		switch verb = strings.ToUpper(verb); {
		case verb == "CAPA":
			caps := "USER\r\n"
			if s.token != nil {
				caps = "SASL OAUTHBEARER XOAUTH2\r\n"
			}
			if !s.noUIDL {
				caps += "UIDL\r\n"
			}
			tp.PrintfLine("+OK\r\n%s.", caps)
		case verb == "USER":
			user = arg
			tp.PrintfLine("+OK")
		case verb == "AUTH" && s.token != nil:
			mech, _, _ := strings.Cut(arg, " ")
			if !pop3Auth(tp, arg, s.token(mech)) {
				continue
			}
			s.mu.Lock()
			msgs, uidls = append([][]byte(nil), s.msgs...), append([]string(nil), s.uidls...)
			s.logons++
			s.mu.Unlock()
			authed = true
		case verb == "PASS":
			if user != imapTestUser || arg != imapTestPass {
				tp.PrintfLine("-ERR [AUTH] invalid credentials")
				continue
			}
			s.mu.Lock()
			msgs, uidls = append([][]byte(nil), s.msgs...), append([]string(nil), s.uidls...)
			s.logons++
			s.mu.Unlock()
			authed = true
			tp.PrintfLine("+OK logged on")
		case verb == "QUIT":
			if authed && len(del) > 0 {
				s.mu.Lock()
				d := s.quitDelay
				s.mu.Unlock()
				time.Sleep(d)
				s.mu.Lock()
				gone := map[string]bool{}
				for k := range del {
					gone[uidls[k-1]] = true
				}
				var m [][]byte
				var u []string
				for i, id := range s.uidls {
					if !gone[id] {
						m, u = append(m, s.msgs[i]), append(u, id)
					}
				}
				s.msgs, s.uidls = m, u
				s.mu.Unlock()
			}
			tp.PrintfLine("+OK bye")
			return
		case !authed:
			tp.PrintfLine("-ERR log on first")
		case verb == "UIDL" && s.noUIDL:
			tp.PrintfLine("-ERR unknown command")
		case verb == "UIDL" || verb == "LIST":
			var b strings.Builder
			for i := range msgs {
				if del[i+1] {
					continue
				}
				if verb == "UIDL" {
					fmt.Fprintf(&b, "%d %s\r\n", i+1, uidls[i])
				} else {
					fmt.Fprintf(&b, "%d %d\r\n", i+1, len(msgs[i]))
				}
			}
			tp.PrintfLine("+OK\r\n%s.", b.String())
		case verb == "STAT":
			tp.PrintfLine("+OK %d 0", len(msgs)-len(del))
		case verb == "RETR":
			if k, ok := num(); ok {
				tp.PrintfLine("+OK")
				w := tp.DotWriter() // dot-stuffs; CRLF and a bare CR stay as they are
				w.Write(msgs[k-1])
				w.Close()
			}
		case verb == "DELE":
			if k, ok := num(); ok {
				del[k] = true
				tp.PrintfLine("+OK")
			}
		case verb == "RSET":
			clear(del)
			tp.PrintfLine("+OK")
		case verb == "NOOP":
			tp.PrintfLine("+OK")
		default:
			tp.PrintfLine("-ERR unknown command")
		}
	}
}

// gone reports whether expunged is on and another session deleted the
// message uidl since this one logged on.
func (s *scriptPOP3) gone(uidl string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.expunged && !slices.Contains(s.uidls, uidl)
}

func (s *scriptPOP3) logonCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logons
}
