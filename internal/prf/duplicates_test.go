package prf

import (
	"errors"
	"strings"
	"testing"
)

// octIMAP is the shape of the [IMAP_I_Mail] mapping the Office
// Customization Tool writes: the INET_HTTP keys follow the IMAP ones, so
// Organization and EmailAddress come twice, with the same mapping.
const octIMAP = "[General]\r\nProfileName=OCT\r\n" +
	"[Internet Account List]\r\nAccount1=IMAP_I_Mail\r\n" +
	"[Account1]\r\nUniqueService=No\r\nAccountName=Work\r\nEmailAddress=dana@example.org\r\nOrganization=Example\r\n" +
	"IMAPServer=imap.example.org\r\nSMTPServer=smtp.example.org\r\n" +
	"[IMAP_I_Mail]\r\nAccountType=IMAP\r\n;--- IMAP Account Settings ---\r\n" +
	"AccountName=PT_UNICODE,0x0002\r\nDisplayName=PT_UNICODE,0x000B\r\nEmailAddress=PT_UNICODE,0x000C\r\n" +
	"IMAPServer=PT_UNICODE,0x0100\r\nOrganization=PT_UNICODE,0x0107\r\n; --- SMTP Account Settings ---\r\n" +
	"SMTPServer=PT_UNICODE,0x0200\r\nAccount=PT_UNICODE,0x0002\r\nHttpServer=PT_UNICODE,0x0100\r\n" +
	"Organization=PT_UNICODE,0x0107\r\nEmailAddress=PT_UNICODE,0x000C\r\nFullName=PT_UNICODE,0x000B\r\n"

// TestRepeatedKeysFirstWins: a key repeated with the same value is read
// once, as GetPrivateProfileString reads the first occurrence, and each
// repeat is a warning naming the section and both lines.
func TestRepeatedKeysFirstWins(t *testing.T) {
	f, err := Parse(strings.NewReader(octIMAP), nil)
	if err != nil {
		t.Fatalf("OCT-style [IMAP_I_Mail] refused: %v", err)
	}
	if len(f.Accounts) != 1 || f.Accounts[0].Organization != "Example" || f.Accounts[0].EmailAddress != "dana@example.org" {
		t.Fatalf("accounts = %+v", f.Accounts)
	}
	want := []string{
		`[IMAP_I_Mail] line 24: duplicate key "Organization" ignored: same value as on line 19`,
		`[IMAP_I_Mail] line 25: duplicate key "EmailAddress" ignored: same value as on line 17`,
	}
	if len(f.Warnings) != len(want) {
		t.Fatalf("warnings = %v, want %d", f.Warnings, len(want))
	}
	for i, w := range f.Warnings {
		if w.String() != want[i] {
			t.Errorf("warning %d = %q, want %q", i, w, want[i])
		}
	}

	// The same in a values section and in [General]: read once.
	text := "[General]\nProfileName=p\nprofilename=p\n[Service List]\nS=M\n[M]\nServiceName=X\nA=PT_LONG,0x6600\n[S]\nA=7\na=7\n"
	f, err = Parse(strings.NewReader(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.ProfileName != "p" || len(f.Services[0].Props) != 1 || len(f.Warnings) != 2 {
		t.Errorf("got %+v, %v", f.Services, f.Warnings)
	}
}

// TestRepeatedKeysAmbiguous: what the file says two ways stays an error,
// naming both lines and neither value.
func TestRepeatedKeysAmbiguous(t *testing.T) {
	for _, tt := range []struct {
		name, text, section string
		line                int
		msg                 string
	}{
		{"mapping", strings.Replace(octIMAP, "Organization=PT_UNICODE,0x0107\r\nEmailAddress", "Organization=PT_STRING8,0x0107\r\nEmailAddress", 1),
			"IMAP_I_Mail", 24, `duplicate key "Organization" (first on line 19) with a different value`},
		{"values", "[Service List]\nS=M\n[M]\nServiceName=X\nPassword=PT_STRING8,0x67F0\n[S]\nPassword=hunter2\nPassword=hunter3\n",
			"S", 8, `duplicate key "Password" (first on line 7) with a different value`},
		{"list", "[Service List]\nService1=A\nService1=B\n", "Service List", 3, "with a different value"},
		{"section", octIMAP + "[IMAP_I_Mail]\r\nAccountType=IMAP\r\n", "IMAP_I_Mail", 27, "duplicate section (first on line 12)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(strings.NewReader(tt.text), nil)
			var pe *Error
			if f != nil || !errors.As(err, &pe) {
				t.Fatalf("got %v, %v", f, err)
			}
			if pe.Section != tt.section || pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("got %q, want [%s] line %d %q", err, tt.section, tt.line, tt.msg)
			}
			if strings.Contains(err.Error(), "hunter") {
				t.Errorf("error quotes a value: %v", err)
			}
		})
	}
}
