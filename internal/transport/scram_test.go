package transport

import (
	"errors"
	"testing"
)

// RFC 7677 §3 test vector.
const (
	rfcNonce       = "rOprNGfwEbeRWgbNEkqO"
	rfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	rfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	rfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
)

func TestSCRAMRFC7677Vector(t *testing.T) {
	c := &scramClient{user: "user", pass: "pencil", nonce: rfcNonce}
	mech, ir, err := c.Start()
	if err != nil || mech != "SCRAM-SHA-256" || string(ir) != "n,,n=user,r="+rfcNonce {
		t.Fatalf("Start = %q %q %v", mech, ir, err)
	}
	final, err := c.Next([]byte(rfcServerFirst))
	if err != nil || string(final) != rfcClientFinal {
		t.Fatalf("client-final = %q %v\nwant %q", final, err, rfcClientFinal)
	}
	resp, err := c.Next([]byte(rfcServerFinal))
	if err != nil || resp == nil || len(resp) != 0 {
		t.Fatalf("after server-final: %q %v, want empty response", resp, err)
	}
}

func TestSCRAMRejectsBadServer(t *testing.T) {
	tests := []struct {
		name, first, final string
	}{
		{"nonce not extended", "r=" + rfcNonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", ""},
		{"foreign nonce", "r=other%hvYD,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", ""},
		{"bad salt", "r=" + rfcNonce + "x,s=!!,i=4096", ""},
		{"zero iterations", "r=" + rfcNonce + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0", ""},
		{"huge iterations", "r=" + rfcNonce + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=999999999", ""},
		{"wrong server signature", rfcServerFirst, "v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
		{"server error", rfcServerFirst, "e=invalid-proof"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &scramClient{user: "user", pass: "pencil", nonce: rfcNonce}
			c.Start()
			_, err := c.Next([]byte(tc.first))
			if tc.final != "" {
				if err != nil {
					t.Fatal(err)
				}
				_, err = c.Next([]byte(tc.final))
			}
			var se *scramError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *scramError", err)
			}
		})
	}
}

func TestSCRAMUsernameEscaping(t *testing.T) {
	c := &scramClient{user: "a=b,c", pass: "p", nonce: "N"}
	if _, ir, _ := c.Start(); string(ir) != "n,,n=a=3Db=2Cc,r=N" {
		t.Fatalf("ir = %q", ir)
	}
}

// A non-ASCII password is prepared (RFC 8265 OpaqueString) before it is
// hashed: a no-break space proves the same as a space. One preparation
// refuses (a control character) is sent as it is, not dropped: the server
// decides.
func TestSCRAMPreparesPassword(t *testing.T) {
	final := func(pass string) string {
		t.Helper()
		c := &scramClient{user: "user", pass: pass, nonce: rfcNonce}
		c.Start()
		f, err := c.Next([]byte(rfcServerFirst))
		if err != nil {
			t.Fatalf("password %q: %v", pass, err)
		}
		return string(f)
	}
	if final("pen cil") != final("pen\u00a0cil") {
		t.Error("a no-break space in a password was not prepared to a space")
	}
	if final("p\u00e9n\u0007cil") == final("p\u00e9ncil") {
		t.Error("a password preparation refuses was changed instead of sent as it is")
	}
}
