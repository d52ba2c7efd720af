// Command smtpfloor is the floor of a spool flush, for scripts/bench.sh's
// spool rows (issue 29): it sends N messages, composed by internal/message
// with the same body as scripts/spoolfill's (about 300 bytes of text), over
// ONE go-smtp client connection: STARTTLS (trusting the CA file given),
// AUTH PLAIN once, then MAIL, RCPT, DATA N times, QUIT. Nothing a real
// sender needs beyond that (no spool, no sealing, no fsync) is done.
//
//	smtpfloor -addr HOST:PORT -ca FILE -user U -n N [-from ADDR] [-name NAME] [-to ADDR]
//
// The password is $BENCH_PW when set, else the first line of stdin (its
// \n or \r\n dropped); never a flag. On success it prints only "sent N" on
// stderr. Errors go to stderr as "smtpfloor: error: ..." with an exit
// status of SPEC §9: 64 bad flags, 74 an unreadable CA file, 78 no
// password, 77 a refused AUTH, 69 a certificate that does not verify or a
// 5xx reply, 75 a 4xx reply or a server that cannot be reached.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// body is scripts/spoolfill's Body (a main package cannot be imported):
// the two sides of the floor row send messages of one size. Keep them
// alike.
const body = `The nightly build of main finished.

  commit   5acc60a0c0ffee
  result   success (412 tests, 0 failures)
  duration 7m31s
  artifacts https://ci.example.org/builds/4711/artifacts

This message was queued by scripts/spoolfill for the spool benchmark of
mapictl (issue 29). Nobody reads it.
`

type options struct {
	addr, ca, user, from, name, to, password string
	n                                        int
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stderr))
}

// run parses args, reads the password ($BENCH_PW, else stdin), sends and
// returns the exit status; it writes to stderr only.
func run(args []string, stdin io.Reader, stderr io.Writer) int {
	fl := flag.NewFlagSet("smtpfloor", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var o options
	fl.StringVar(&o.addr, "addr", "", "SMTP server HOST:PORT (STARTTLS)")
	fl.StringVar(&o.ca, "ca", "", "CA file (PEM) the server's certificate is checked against")
	fl.StringVar(&o.user, "user", "", "AUTH PLAIN username")
	fl.IntVar(&o.n, "n", 0, "number of messages")
	fl.StringVar(&o.from, "from", "ci@example.com", "envelope sender and From")
	fl.StringVar(&o.name, "name", "CI Bot", "display name of From (the bench's section has this one)")
	fl.StringVar(&o.to, "to", "rcpt@example.org", "recipient of every message")
	if err := fl.Parse(args); err != nil {
		return 64
	}
	if fl.NArg() > 0 || o.n <= 0 || o.addr == "" || o.ca == "" || o.user == "" {
		fmt.Fprintln(stderr, "usage: smtpfloor -addr HOST:PORT -ca FILE -user U -n N [-from ADDR] [-name NAME] [-to ADDR]  (password: $BENCH_PW or stdin)")
		return 64
	}
	pw, err := password(stdin)
	if err == nil {
		o.password = pw
		err = send(o)
	}
	if err != nil {
		e := mapi.AsError(err)
		fmt.Fprintf(stderr, "smtpfloor: error: %s (%s)\n", textsafe.Escape(e.Msg), e.Code.Name)
		return e.ExitStatus()
	}
	fmt.Fprintf(stderr, "sent %d\n", o.n)
	return 0
}

// password is $BENCH_PW when set, else the first line of stdin without
// its line ending. Errors: MAPI_E_UNCONFIGURED (78) for none at all.
func password(stdin io.Reader) (string, error) {
	if pw, ok := os.LookupEnv("BENCH_PW"); ok && pw != "" {
		return pw, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", mapi.Wrap(mapi.DiskError, err, "read the password from stdin")
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", mapi.Errorf(mapi.Unconfigured, "no password: set BENCH_PW or give it on stdin")
	}
	return line, nil
}

// send delivers o.n messages over one connection (see the package doc).
func send(o options) error {
	pem, err := os.ReadFile(o.ca)
	if err != nil {
		return mapi.Wrap(mapi.DiskError, err, "read the CA file")
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return mapi.Errorf(mapi.InvalidParameter, "the CA file %s holds no PEM certificate", o.ca)
	}
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return mapi.Wrap(mapi.InvalidParameter, err, "-addr")
	}
	conn, err := net.DialTimeout("tcp", o.addr, 10*time.Second)
	if err != nil {
		return mapi.Wrap(mapi.NetworkError, err, "connect to "+o.addr).WithExit(mapi.ExitQueued)
	}
	c, err := smtp.NewClientStartTLS(conn, &tls.Config{RootCAs: roots, ServerName: host, MinVersion: tls.VersionTLS12})
	if err != nil {
		return smtpError(err, "STARTTLS")
	}
	defer c.Close()
	// The handshake runs on the first write after STARTTLS: AUTH's.
	if err := c.Auth(sasl.NewPlainClient("", o.user, o.password)); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return mapi.Wrap(mapi.LogonFailed, err, "AUTH PLAIN as "+o.user)
		}
		return smtpError(err, "AUTH PLAIN")
	}
	from := message.Address{Name: o.name, Email: o.from}
	for i := range o.n {
		msg, _, err := message.Compose(&message.Draft{From: from, To: []message.Address{{Email: o.to}},
			Subject: fmt.Sprintf("spool bench %d", i+1), Text: body, Date: time.Now()})
		if err != nil {
			return mapi.Wrap(mapi.InvalidParameter, err, "compose")
		}
		if err := c.SendMail(o.from, []string{o.to}, strings.NewReader(string(msg))); err != nil {
			return smtpError(err, fmt.Sprintf("message %d", i+1))
		}
	}
	if err := c.Quit(); err != nil {
		return smtpError(err, "QUIT")
	}
	return nil
}

// smtpError is err at stage as a MAPI_E_NETWORK_ERROR: exit 69 for a
// certificate that does not verify or a 5xx reply, else 75 (a 4xx reply,
// the connection).
func smtpError(err error, stage string) error {
	e := mapi.Wrap(mapi.NetworkError, err, stage)
	var se *smtp.SMTPError
	var ve *tls.CertificateVerificationError
	switch {
	case errors.As(err, &ve):
	case errors.As(err, &se) && !se.Temporary():
	default:
		e = e.WithExit(mapi.ExitQueued)
	}
	return e
}
