package transport

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// imapFake is a scripted IMAP server for what imapmemserver cannot do:
// stall, drop a connection inside a literal, or stream a huge message
// without holding it (so a benchmark measures the client alone). It speaks
// just enough IMAP4rev1 for DialIMAP with LOGIN over plaintext.
type imapFake struct {
	msgs       [][]byte // UIDs 1..n
	big        int64    // when > 0, one more message of this size, generated
	stallFetch bool     // never answer UID FETCH … BODY.PEEK[]
	dropAfter  int      // close the connection after this many literal bytes (0: never)
	noIdle     bool     // do not offer IDLE
	addr       string
}

func startIMAPFake(t testing.TB, f imapFake) *imapFake {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f.addr = ln.Addr().String()
	fp := &f
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go fp.serve(c)
		}
	}()
	return fp
}

func (f *imapFake) config() InboundConfig {
	host, port, _ := net.SplitHostPort(f.addr)
	return InboundConfig{Host: host, Port: atoiPort(port), Security: "none", AllowInsecureAuth: true,
		Credentials: Credentials{Username: "u", Password: "p"}, Timeout: 5 * time.Second}
}

func (f *imapFake) count() int {
	if f.big > 0 {
		return len(f.msgs) + 1
	}
	return len(f.msgs)
}

func (f *imapFake) size(uid int) int64 {
	if uid <= len(f.msgs) {
		return int64(len(f.msgs[uid-1]))
	}
	return f.big
}

// body writes message uid's bytes to w, at most limit bytes (0: all).
func (f *imapFake) body(w io.Writer, uid int, limit int) error {
	if uid <= len(f.msgs) {
		b := f.msgs[uid-1]
		if limit > 0 && limit < len(b) {
			b = b[:limit]
		}
		_, err := w.Write(b)
		return err
	}
	head := "Subject: big\r\n\r\n"
	line := []byte(strings.Repeat("x", 76) + "\r\n")
	chunk := make([]byte, 0, 64<<10)
	for len(chunk)+len(line) <= cap(chunk) {
		chunk = append(chunk, line...)
	}
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	left := f.big - int64(len(head))
	for left > 0 {
		n := min(left, int64(len(chunk)))
		if _, err := w.Write(chunk[:n]); err != nil {
			return err
		}
		left -= n
	}
	return nil
}

// uids parses a UID set against the messages held.
func (f *imapFake) uids(set string) []int {
	var out []int
	n := f.count()
	num := func(s string) int {
		if s == "*" {
			return n
		}
		v, _ := strconv.Atoi(s)
		return v
	}
	for _, part := range strings.Split(set, ",") {
		a, b, isRange := strings.Cut(part, ":")
		lo, hi := num(a), num(a)
		if isRange {
			hi = num(b)
		}
		for u := lo; u <= hi && u <= n; u++ {
			out = append(out, u)
		}
	}
	return out
}

func (f *imapFake) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	bw := bufio.NewWriterSize(c, 64<<10)
	caps := "IMAP4rev1 UIDPLUS IDLE"
	if f.noIdle {
		caps = "IMAP4rev1 UIDPLUS"
	}
	fmt.Fprintf(bw, "* OK [CAPABILITY %s] fake ready\r\n", caps)
	bw.Flush()
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		f2 := strings.Fields(line)
		if len(f2) < 2 {
			continue
		}
		tag, cmd := f2[0], strings.ToUpper(f2[1])
		if cmd == "UID" && len(f2) > 2 {
			cmd += " " + strings.ToUpper(f2[2])
		}
		switch cmd {
		case "CAPABILITY":
			fmt.Fprintf(bw, "* CAPABILITY %s\r\n", caps)
		case "SELECT":
			fmt.Fprintf(bw, "* %d EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n", f.count())
			fmt.Fprintf(bw, "%s OK [READ-WRITE] selected\r\n", tag)
			bw.Flush()
			continue
		case "UID FETCH":
			withBody := strings.Contains(line, "BODY.PEEK[]")
			if withBody && f.stallFetch {
				bw.Flush()
				io.Copy(io.Discard, br) // until the client goes
				return
			}
			for _, u := range f.uids(f2[3]) {
				if !withBody {
					fmt.Fprintf(bw, "* %d FETCH (UID %d RFC822.SIZE %d)\r\n", u, u, f.size(u))
					continue
				}
				fmt.Fprintf(bw, "* %d FETCH (UID %d BODY[] {%d}\r\n", u, u, f.size(u))
				if err := f.body(bw, u, f.dropAfter); err != nil {
					return
				}
				if f.dropAfter > 0 {
					bw.Flush()
					return
				}
				fmt.Fprint(bw, ")\r\n")
			}
		case "LOGOUT":
			fmt.Fprintf(bw, "* BYE bye\r\n%s OK logged out\r\n", tag)
			bw.Flush()
			return
		}
		fmt.Fprintf(bw, "%s OK done\r\n", tag)
		bw.Flush()
	}
}
