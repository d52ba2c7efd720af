package transport

import (
	"bufio"
	"net"
	"reflect"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

// TestGoSMTPStartTLSStillUnfit holds the hand-run STARTTLS in smtp_conn.go
// to the library it would be replaced by (see the top of that file): the
// day go-smtp exports a StartTLS on its Client, or its NewClientStartTLS
// says EHLO with a name of our choosing, this fails and asks for the
// hand-run part to go.
func TestGoSMTPStartTLSStillUnfit(t *testing.T) {
	if _, ok := reflect.TypeOf((*smtp.Client)(nil)).MethodByName("StartTLS"); ok {
		t.Fatal("go-smtp's Client has StartTLS now: check whether smtp_conn.go's startTLS and fakeGreeting can go")
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	first := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			first <- ""
			return
		}
		defer c.Close()
		c.Write([]byte("220 mx ESMTP\r\n"))
		line, _ := bufio.NewReader(c).ReadString('\n')
		first <- strings.TrimRight(line, "\r\n")
		c.Write([]byte("250 mx\r\n")) // no STARTTLS offered
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, err = smtp.NewClientStartTLS(c, nil)
	if err == nil {
		t.Fatal("NewClientStartTLS went on without STARTTLS offered")
	}
	if got := <-first; got != "EHLO localhost" {
		t.Fatalf("NewClientStartTLS's first command is %q, not \"EHLO localhost\": "+
			"check whether smtp_conn.go's startTLS can go", got)
	}
}
