package prf

import (
	"reflect"
	"strings"
	"testing"
)

// issue 24 point 2: a PRF from elsewhere expands only the variables Outlook's
// deployment docs use and those the user names, never a MAPICTL_* one.

// everything defines every name, as "<NAME>", and records the names asked.
func everything(asked *[]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		*asked = append(*asked, name)
		return "<" + name + ">", true
	}
}

func TestExpandNeverMapictl(t *testing.T) {
	var asked []string
	get := everything(&asked)
	for _, in := range []string{"%MAPICTL_IDENTITY%", "%mapictl_session%", "%Mapictl_Identity_File%x", "%MAPICTL_%"} {
		if got := expand(in, get); got != in {
			t.Errorf("expand(%q) = %q: a MAPICTL_* name was expanded", in, got)
		}
	}
	if len(asked) != 0 {
		t.Errorf("getenv asked for %q", asked)
	}
	if got := expand("%USERNAME%", get); got != "<USERNAME>" {
		t.Errorf("control: %q", got)
	}
}

func TestExpandRestrict(t *testing.T) {
	var asked []string
	get := Restrict(everything(&asked), "TOKEN", "MAPICTL_IDENTITY", "bad%name")
	tests := []struct{ in, want string }{
		{"%USERNAME%", "<USERNAME>"},
		{"%username%@corp", "<username>@corp"},
		{"%USERDOMAIN%\\%COMPUTERNAME%", "<USERDOMAIN>\\<COMPUTERNAME>"},
		{"%USERPROFILE%\\a.pst", "<USERPROFILE>\\a.pst"},
		{"%TOKEN%.example", "<TOKEN>.example"},
		{"%token%", "<token>"},
		{"%HOME%", "%HOME%"},
		{"%PATH%%USERNAME%", "%PATH%<USERNAME>"},
		{"%MAPICTL_IDENTITY%", "%MAPICTL_IDENTITY%"}, // given with --var, still never
		{"%bad%name%", "%bad%name%"},
	}
	for _, tt := range tests {
		if got := expand(tt.in, get); got != tt.want {
			t.Errorf("expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, n := range asked {
		if up := strings.ToUpper(n); up != "USERNAME" && up != "USERDOMAIN" && up != "COMPUTERNAME" && up != "USERPROFILE" && up != "TOKEN" {
			t.Errorf("the environment was asked for %q", n)
		}
	}
	if _, ok := Restrict(nil)("USERNAME"); ok {
		t.Error("nil getenv defines USERNAME")
	}
}

func TestExpandCheckVar(t *testing.T) {
	for _, n := range []string{"TOKEN", "corp_domain", "X1"} {
		if err := CheckVar(n); err != nil {
			t.Errorf("CheckVar(%q) = %v", n, err)
		}
	}
	for _, n := range []string{"", "MAPICTL_IDENTITY", "mapictl_session", "A%B", "A=B", "A\nB"} {
		if err := CheckVar(n); err == nil {
			t.Errorf("CheckVar(%q) accepted", n)
		}
	}
}

const reportPRF = "[General]\nProfileName=%USERNAME%\nOverwriteProfile=No\n\n" +
	"[Internet Account List]\nAccount1=I_Mail\n\n" +
	"[Account1]\nAccountName=Mail\nDisplayName=%MAPICTL_IDENTITY%\nEmailAddress=%username%@%USERDOMAIN%\n" +
	"SMTPServer=%TOKEN%.example\nPOP3Server=%OTHER%.example\n\n" +
	"[I_Mail]\nAccountType=POP3\nAccountName=PT_UNICODE,0x0002\nDisplayName=PT_UNICODE,0x000B\n" +
	"EmailAddress=PT_UNICODE,0x000C\nPOP3Server=PT_UNICODE,0x0100\nSMTPServer=PT_UNICODE,0x0200\n"

func TestExpandParseReport(t *testing.T) {
	var asked []string
	f, exp, err := ParseReport(strings.NewReader(reportPRF), Restrict(everything(&asked), "TOKEN"))
	if err != nil {
		t.Fatal(err)
	}
	a := f.Accounts[0]
	if a.DisplayName != "%MAPICTL_IDENTITY%" || a.SMTPServer != "<TOKEN>.example" ||
		a.Raw["POP3Server"] != "%OTHER%.example" || a.EmailAddress != "<username>@<USERDOMAIN>" || f.ProfileName != "<USERNAME>" {
		t.Errorf("values: %q %q %q %q %q", a.DisplayName, a.SMTPServer, a.Raw["POP3Server"], a.EmailAddress, f.ProfileName)
	}
	want := []Expansion{
		{"General", "ProfileName", "USERNAME"},
		{"Account1", "EmailAddress", "username"},
		{"Account1", "EmailAddress", "USERDOMAIN"},
		{"Account1", "SMTPServer", "TOKEN"},
	}
	if !reflect.DeepEqual(exp, want) {
		t.Errorf("expansions %+v, want %+v", exp, want)
	}
	// Without --var TOKEN the server name stays as written.
	f, exp, err = ParseReport(strings.NewReader(reportPRF), Restrict(everything(&asked)))
	if err != nil {
		t.Fatal(err)
	}
	if f.Accounts[0].SMTPServer != "%TOKEN%.example" || len(exp) != 3 {
		t.Errorf("TOKEN expanded without --var: %q %+v", f.Accounts[0].SMTPServer, exp)
	}
}

// FuzzExpandPolicy: whatever the value and the --var names, a restricted
// expansion asks the environment only for an allowed name, never for a
// MAPICTL_* one, reports exactly the names it replaced, and gives the value
// expand gives with an environment that defines the allowed names only.
func FuzzExpandPolicy(f *testing.F) {
	f.Add("%MAPICTL_IDENTITY%", "MAPICTL_IDENTITY", "TOKEN")
	f.Add("%TOKEN%.example %USERNAME%", "TOKEN", "")
	f.Add("100% %mapictl_session%%USERNAME%", "mapictl_session", "x")
	f.Add("%%USERDOMAIN%%COMPUTERNAME%%", "", "")
	f.Add("%HOME%\\%USERPROFILE%", "home", "A%B")
	f.Fuzz(func(t *testing.T, v, var1, var2 string) {
		allowed := map[string]bool{"USERNAME": true, "USERDOMAIN": true, "COMPUTERNAME": true, "USERPROFILE": true}
		for _, n := range []string{var1, var2} {
			if CheckVar(n) == nil {
				allowed[strings.ToUpper(n)] = true
			}
		}
		var asked []string
		var reported, kept []string
		got := expandEach(v, Restrict(everything(&asked), var1, var2), func(n string, ok bool) {
			if ok {
				reported = append(reported, n)
			} else {
				kept = append(kept, n)
			}
		})
		for _, n := range kept {
			if !strings.Contains(got, "%"+n+"%") || !varName(n) {
				t.Fatalf("reported %q as kept, but %q does not hold %%%s%%", n, got, n)
			}
		}
		for _, n := range append(asked, reported...) {
			if forbidden(n) || !allowed[strings.ToUpper(n)] {
				t.Fatalf("%q with --var %q %q: name %q reached the environment", v, var1, var2, n)
			}
		}
		only := func(n string) (string, bool) {
			if !allowed[strings.ToUpper(n)] || forbidden(n) {
				return "", false
			}
			return "<" + n + ">", true
		}
		if want := expand(v, only); got != want {
			t.Fatalf("expand(%q) = %q, want %q", v, got, want)
		}
		for _, n := range reported {
			if !strings.Contains(got, "<"+n+">") {
				t.Fatalf("reported %q but %q does not hold its value", n, got)
			}
		}
		if strings.Count(got, "<MAPICTL_") > strings.Count(v, "<MAPICTL_") || strings.Count(strings.ToUpper(got), "<MAPICTL_") > strings.Count(strings.ToUpper(v), "<MAPICTL_") {
			t.Fatalf("expand(%q) = %q: a MAPICTL_* value appeared", v, got)
		}
	})
}

// TestExpandReportsKept: each placeholder left as written is listed by
// section, key and name (the user must hear of it), with how to supply
// it; the percent signs of a sentence or a URL are no placeholder.
func TestExpandReportsKept(t *testing.T) {
	const doc = "[General]\nProfileName=%USERNAME%\n[Internet Account List]\nAccount1=I_Mail\n" +
		"[Account1]\nAccountName=Corp\nEmailAddress=%USERNAME%@corp.example\nDisplayName=100% off, 5% more %20x%\n" +
		"SMTPServer=%SECRETHOST%\nPOP3Server=%MAPICTL_IDENTITY%.example\n" +
		"[I_Mail]\nAccountType=POP3\nAccountName=PT_UNICODE,0x0002\nDisplayName=PT_UNICODE,0x000B\nEmailAddress=PT_UNICODE,0x000C\n" +
		"POP3Server=PT_UNICODE,0x0100\nSMTPServer=PT_UNICODE,0x0200\n"
	none := func(string) (string, bool) { return "", false }
	f, exp, err := ParseReport(strings.NewReader(doc), Restrict(none))
	if err != nil {
		t.Fatal(err)
	}
	want := []Expansion{
		{"General", "ProfileName", "USERNAME"},
		{"Account1", "EmailAddress", "USERNAME"},
		{"Account1", "SMTPServer", "SECRETHOST"},
		{"Account1", "POP3Server", "MAPICTL_IDENTITY"},
	}
	if len(exp) != 0 || !reflect.DeepEqual(f.Unexpanded, want) {
		t.Errorf("expanded %+v, kept %+v, want %+v", exp, f.Unexpanded, want)
	}
	if f.Accounts[0].EmailAddress != "%USERNAME%@corp.example" {
		t.Errorf("EmailAddress = %q: Windows keeps an undefined variable", f.Accounts[0].EmailAddress)
	}
	for name, hint := range map[string]string{
		"SECRETHOST":       "set SECRETHOST in the environment and pass --var SECRETHOST",
		"username":         "set USERNAME (or USER) in the environment",
		"COMPUTERNAME":     "set COMPUTERNAME in the environment",
		"mapictl_identity": "MAPICTL_* variables are never expanded",
	} {
		if got := SupplyHint(name); got != hint {
			t.Errorf("SupplyHint(%s) = %q, want %q", name, got, hint)
		}
	}
}
