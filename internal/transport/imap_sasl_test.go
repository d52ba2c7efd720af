package transport

import (
	"bytes"
	"net"
	"testing"
)

// recordConn is a net.Conn that keeps what is written to it.
type recordConn struct {
	net.Conn
	buf bytes.Buffer
}

func (r *recordConn) Write(p []byte) (int, error) { return r.buf.Write(p) }

// go-imap v2.0.0-beta.9 answers a challenge with an empty SASL response as
// "=", which Dovecot refuses in a continued response (seen against
// Dovecot 2.3.19 with SCRAM-SHA-256, whose last step is empty); during
// AUTHENTICATE the connection sends an empty line instead, and nothing else
// changes.
func TestIMAPEmptySASLResponseIsEmptyLine(t *testing.T) {
	rc := &recordConn{}
	c := &imapConn{Conn: rc}
	for _, w := range []string{"=\r\n", "T1 AUTHENTICATE PLAIN =\r\n"} {
		if _, err := c.Write([]byte(w)); err != nil {
			t.Fatal(err)
		}
	}
	c.sasl = true
	for _, w := range []string{"dj1hYmM=\r\n", "=\r\n"} {
		if n, err := c.Write([]byte(w)); err != nil || n != len(w) {
			t.Fatalf("Write(%q) = %d, %v", w, n, err)
		}
	}
	want := "=\r\nT1 AUTHENTICATE PLAIN =\r\ndj1hYmM=\r\n\r\n"
	if got := rc.buf.String(); got != want {
		t.Fatalf("sent %q; want %q", got, want)
	}
}
