package prf

import (
	"reflect"
	"testing"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func ptr(b bool) *bool { return &b }

func u32(v uint32) *uint32 { return &v }

var testEnv = env(map[string]string{"USERNAME": "alice", "USERPROFILE": `C:\Users\alice`})

// TestParseFull checks every field of the Outlook-2016-like export.
func TestParseFull(t *testing.T) {
	f, err := ParseFile("testdata/full_utf8bom_crlf.prf", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &File{
		ProfileName: "Jürgen Corp", DefaultProfile: true, Overwrite: "append",
		DefaultStore: "Service2",
		General: map[string]string{"Custom": "1", "ProfileName": "Jürgen Corp", "DefaultProfile": "Yes",
			"OverwriteProfile": "Append", "ModifyDefaultProfileIfPresent": "false", "BackupProfile": "No",
			"DefaultStore": "Service2"},
		Services: []Service{
			{ID: "Service1", Mapping: "LDAP Directory", ServiceName: "EMABLT", Name: "Corp Directory", Line: 22,
				Unique: ptr(false), OverwriteExisting: ptr(true),
				Props: []Prop{
					{"ServerName", 0x6600001E, "ldap.corp.example", 41},
					{"ConnectionPort", 0x6601001E, "636", 42},
					{"SearchBase", 0x6603001E, "ou=people, dc=corp, dc=example", 44},
					{"SearchTimeout", 0x6607001E, "60", 45},
					{"MaxEntriesReturned", 0x6608001E, "0x64", 46},
					{"UseSSL", 0x6613000B, true, 47},
					{"UseSPA", 0x6615000B, false, 48},
					{"EnableBrowsing", 0x6622000B, true, 49},
					{"DisplayName", 0x3001001E, "Corp Directory", 50},
				}},
			{ID: "Service2", Mapping: "Unicode Personal Folders", ServiceName: "MSUPST MS", Name: "Archive", Line: 23,
				Unique: ptr(true),
				Props: []Prop{
					{"Name", 0x3001001F, "Archive", 54},
					{"PathAndFilenameToPersonalFolders", 0x6700001E, `C:\Mail\archive.pst`, 55},
					{"RememberPassword", 0x6701000B, false, 56},
					{"EncryptionType", 0x67020003, int32(0x50000000), 57},
				}},
			{ID: "ServiceEGS", Mapping: "Exchange Global Section", SectionGUID: "13dbb0c8aa05101a9bb000aa002fc45a",
				Name: "Exchange Global Section", Line: 24,
				Props: []Prop{
					{"ConfigFlags", 0x66010003, int32(0x100), 61},
					{"RPCProxyServer", 0x6622001F, "mail.corp.example", 62},
					{"AccountName", 0x6620001F, "Jürgen Müller", 63},
				}},
		},
		Accounts: []Account{
			{ID: "Account1", Mapping: "IMAP_I_Mail", AccountType: "IMAP", AccountName: "Corp Mail",
				DisplayName: "Jürgen Müller", EmailAddress: "juergen@corp.example", Organization: "Corp; Inc.",
				IncomingServer: "imap.corp.example", IncomingUser: "juergen", IncomingPort: 993,
				IncomingProtocol: "imap", IncomingSecurity: "tls",
				SMTPServer: "smtp.corp.example", SMTPPort: 465, SMTPSecurity: "tls", SMTPUseAuth: true,
				SMTPUserName: "juergen", Line: 31,
				Raw: map[string]string{"UniqueService": "No", "AccountName": "Corp Mail", "DisplayName": "Jürgen Müller",
					"EmailAddress": "juergen@corp.example", "IMAPServer": "imap.corp.example", "IMAPUserName": "juergen",
					"IMAPPort": "993", "IMAPUseSSL": "1", "SMTPServer": "smtp.corp.example", "SMTPPort": "465",
					"SMTPSecureConnection": "1", "SMTPUseAuth": "1", "SMTPAuthMethod": "0", "SMTPUserName": "",
					"ReplyEmailAddress": "", "Organization": "Corp; Inc.", "RootFolder": "", "CheckNewImap": "1"}},
			{ID: "Account2", Mapping: "I_Mail", AccountType: "POP3", AccountName: "Home", DisplayName: "Jürgen",
				EmailAddress: "j@home.example", IncomingServer: "pop.home.example", IncomingUser: "jm",
				IncomingPort: 995, IncomingProtocol: "pop3", IncomingSecurity: "tls", LeaveOnServer: u32(0x20007),
				SMTPServer: "smtp.home.example", SMTPPort: 587, SMTPSecurity: "starttls",
				SMTPUseAuth: true, SMTPAuthMethod: 1, SMTPUserName: "jm-submit", Line: 32,
				Raw: map[string]string{"UniqueService": "No", "AccountName": "Home", "DisplayName": "Jürgen",
					"EmailAddress": "j@home.example", "POP3Server": "pop.home.example", "POP3UserName": "jm",
					"POP3Port": "995", "SMTPServer": "smtp.home.example", "SMTPPort": "587",
					"SMTPSecureConnection": "2", "SMTPUseAuth": "1", "SMTPAuthMethod": "1",
					"SMTPUserName": "jm-submit", "LeaveOnServer": "0x20007"}},
		},
	}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("got\n%+v\nwant\n%+v", f, want)
		for i := range min(len(f.Services), len(want.Services)) {
			if !reflect.DeepEqual(f.Services[i], want.Services[i]) {
				t.Errorf("service %d:\n got %+v\nwant %+v", i, f.Services[i], want.Services[i])
			}
		}
		for i := range min(len(f.Accounts), len(want.Accounts)) {
			if !reflect.DeepEqual(f.Accounts[i], want.Accounts[i]) {
				t.Errorf("account %d:\n got %+v\nwant %+v", i, f.Accounts[i], want.Accounts[i])
			}
		}
	}
}

// TestParseFiles checks the salient results of the other well-formed files.
func TestParseFiles(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, f *File)
	}{
		{"ansi_cp1252_crlf.prf", func(t *testing.T, f *File) {
			a := f.Accounts[0]
			if f.ProfileName != "Müller" || a.AccountName != "Büro" || a.DisplayName != "Jörg Müller" {
				t.Errorf("Windows-1252 not decoded: %q %q %q", f.ProfileName, a.AccountName, a.DisplayName)
			}
			if f.Overwrite != "no" || f.DefaultProfile || len(f.Services) != 0 {
				t.Errorf("general: %+v", f)
			}
			if a.SMTPUseAuth || a.SMTPUserName != "" || a.SMTPSecurity != "none" || a.SMTPPort != 0 {
				t.Errorf("smtp without auth: %+v", a)
			}
		}},
		{"utf16le_bom.prf", func(t *testing.T, f *File) {
			if f.ProfileName != "Ünïcode €uro" || f.Overwrite != "yes" {
				t.Errorf("general: %q %q", f.ProfileName, f.Overwrite)
			}
			s := f.Services[0]
			if s.Name != "Адресная книга" || len(s.Props) != 3 || s.Props[2] != (Prop{"UseSSL", 0x6613000B, true, 11}) {
				t.Errorf("service: %+v", s)
			}
		}},
		{"envvars.prf", func(t *testing.T, f *File) {
			if f.ProfileName != "alice" {
				t.Errorf("ProfileName = %q", f.ProfileName)
			}
			s := f.Services[0]
			if s.Name != "alice archive" {
				t.Errorf("Name = %q", s.Name)
			}
			if got := s.Props[1].Value; got != `C:\Users\alice\Mail\%UNDEFINED_VAR%.pst` {
				t.Errorf("undefined variable not kept literally: %q", got)
			}
			if got := s.Props[2].Value; got != int32(0x40000000) {
				t.Errorf("EncryptionType = %v", got)
			}
			a := f.Accounts[0]
			if a.AccountName != "alice mail" || a.EmailAddress != "alice@example.com" || a.DisplayName != "100% alice" {
				t.Errorf("account: %q %q %q", a.AccountName, a.EmailAddress, a.DisplayName)
			}
			if !a.SMTPUseAuth || a.SMTPUserName != "alice" || a.Raw["POP3UserName"] != "alice" {
				t.Errorf("SMTP user not taken from incoming: %+v", a)
			}
		}},
		{"typefirst.prf", func(t *testing.T, f *File) {
			s := f.Services[0]
			want := []Prop{
				{"NameOfPAB", 0x3001001E, "My Contacts", 9},
				{"PathAndFilename", 0x6600001E, `C:\Mail\mailbox.pab`, 10},
				{"ShowNamesBy", 0x66010003, int32(1), 11},
				{"SearchKey", 0x300B0102, []byte{0x0a, 0x0b, 0x0c}, 12},
			}
			if !reflect.DeepEqual(s.Props, want) {
				t.Errorf("props:\n got %+v\nwant %+v", s.Props, want)
			}
			if s.Name != "My Contacts" || s.ServiceName != "MSPST AB" {
				t.Errorf("Name %q ServiceName %q", s.Name, s.ServiceName)
			}
		}},
		{"msmail_secure.prf", func(t *testing.T, f *File) {
			s := f.Services[0]
			if want := []Prop{{"Password", 0x67F0001E, "s3cret-value", 12}}; !reflect.DeepEqual(s.Secure, want) {
				t.Errorf("secure = %+v", s.Secure)
			}
			for _, p := range s.Props {
				if IsSecure(p.Tag) || p.Key == "Password" {
					t.Errorf("secure prop in Props: %+v", p)
				}
			}
			if len(s.Props) != 3 || s.Props[2] != (Prop{"RememberPassword", 0x6606000B, true, 13}) {
				t.Errorf("props = %+v", s.Props)
			}
			if !f.DefaultProfile || s.Name != "Microsoft Mail" {
				t.Errorf("DefaultProfile %v Name %q", f.DefaultProfile, s.Name)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := ParseFile("testdata/"+tt.file, testEnv)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, f)
		})
	}
}
