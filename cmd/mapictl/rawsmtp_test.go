package main

import (
	"bufio"
	"encoding/base64"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() { testCmds["rawsmtp"] = cmdRawSMTP }

// cmdRawSMTP: rawsmtp — start a hand-written, plain-text SMTP server on
// 127.0.0.1:0 that misbehaves as issue 24 describes, and export $RAW_PORT:
//
//   - AUTH LOGIN: after the username it sends "334 UGFzc3dvcmQ6" and "235
//     2.7.0 ok" in one write, before the client has answered the password
//     prompt (a pipelining server); the password it then receives is
//     written, decoded, to $WORK/rawsmtp/pass. AUTH PLAIN: 235.
//   - RCPT TO:<esc…> is refused "550 5.1.1 ESC[2Jgone CR spoofed" and
//     RCPT TO:<tmp…> "451 4.3.0 ESC[2Jlater CR spoofed DEL U+009B", with a
//     raw ESC, a bare CR, DEL and a C1 CSI in the text; everyone else is
//     accepted.
func cmdRawSMTP(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: rawsmtp")
	}
	dir := ts.MkAbs("rawsmtp")
	ts.Check(os.MkdirAll(dir, 0o700))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	ts.Defer(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go rawSMTPServe(c, dir)
		}
	}()
	ts.Setenv("RAW_PORT", strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
}

func rawSMTPServe(c net.Conn, dir string) {
	defer c.Close()
	r := bufio.NewReader(c)
	line := func() string {
		l, err := r.ReadString('\n')
		if err != nil {
			return "QUIT"
		}
		return strings.TrimRight(l, "\r\n")
	}
	say := func(s string) { c.Write([]byte(s)) }
	say("220 raw ESMTP\r\n")
	for {
		l := line()
		arg := strings.ToLower(l)
		switch strings.ToUpper(strings.Fields(l + " x")[0]) {
		case "EHLO":
			say("250-raw\r\n250-8BITMIME\r\n250 AUTH LOGIN PLAIN\r\n")
		case "AUTH":
			if strings.Contains(arg, "plain") {
				say("235 2.7.0 ok\r\n")
				continue
			}
			say("334 VXNlcm5hbWU6\r\n")
			line()
			say("334 UGFzc3dvcmQ6\r\n235 2.7.0 ok\r\n")
			if p, err := base64.StdEncoding.DecodeString(line()); err == nil {
				os.WriteFile(filepath.Join(dir, "pass"), append(p, '\n'), 0o600)
			}
		case "MAIL", "RSET", "NOOP":
			say("250 2.0.0 ok\r\n")
		case "RCPT":
			switch {
			case strings.Contains(arg, "<esc"):
				say("550 5.1.1 \x1b[2Jgone\rspoofed\r\n")
			case strings.Contains(arg, "<tmp"):
				say("451 4.3.0 \x1b[2Jlater\rspoofed\x7f\u009b\r\n")
			default:
				say("250 2.1.5 ok\r\n")
			}
		case "DATA":
			say("354 go\r\n")
			for line() != "." {
			}
			say("250 2.0.0 queued\r\n")
		case "QUIT":
			say("221 2.0.0 bye\r\n")
			return
		default:
			say("500 5.5.1 what\r\n")
		}
	}
}
