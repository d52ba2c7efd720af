package prf

import (
	"os"
	"testing"
)

// The incoming server of POP3 and IMAP accounts: protocol, security from
// POP3UseSSL/IMAPUseSSL (absent: by port), LeaveOnServer for POP3.
func TestIncomingServer(t *testing.T) {
	f, err := ParseFile("testdata/inbound_accounts.prf", os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, proto, host, user, sec string
		port                         int
		leave                        *uint32
	}{
		{"imap-starttls", "imap", "imap.example.com", "dana", "starttls", 143, nil},
		{"pop-keep", "pop3", "pop.example.com", "dana-pop", "tls", 0, u32(1)},
		{"pop-delete", "pop3", "pop.example.net", "dana", "none", 110, u32(0)},
		{"imap-implicit", "imap", "imap.example.org", "", "tls", 993, nil},
	}
	if len(f.Accounts) != len(want) {
		t.Fatalf("%d accounts, want %d", len(f.Accounts), len(want))
	}
	for i, w := range want {
		a := f.Accounts[i]
		if a.AccountName != w.name || a.IncomingProtocol != w.proto || a.IncomingServer != w.host ||
			a.IncomingUser != w.user || a.IncomingSecurity != w.sec || a.IncomingPort != w.port {
			t.Errorf("%s: got %s %s user %q %s port %d", w.name, a.IncomingProtocol, a.IncomingServer, a.IncomingUser, a.IncomingSecurity, a.IncomingPort)
		}
		if (a.LeaveOnServer == nil) != (w.leave == nil) || (w.leave != nil && *a.LeaveOnServer != *w.leave) {
			t.Errorf("%s: LeaveOnServer %v, want %v", w.name, a.LeaveOnServer, w.leave)
		}
	}
}
