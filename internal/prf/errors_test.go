package prf

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// TestParseErrors: every malformed or unresolvable input is an *Error that
// names the section and line, and no File comes back.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string // testdata file, or a label for text
		text    string // inline PRF when not a file
		section string
		line    int
		msg     string
	}{
		{name: "bad_missing_mapping.prf", section: "Service List", line: 6, msg: "mapping section [Exchange Online Thing] not found"},
		{name: "bad_mapping_value.prf", section: "LDAP Directory", line: 12, msg: `"ServerName": mapping must be PT_TYPE,0xID`},
		{name: "bad_typefirst_mismatch.prf", section: "Personal Address Book", line: 12, msg: "has type PT_STRING8, not PT_LONG"},
		{name: "bad_wrong_type.prf", section: "Service1", line: 9, msg: "EncryptionType: PT_LONG value"},
		{name: "bad_unmapped_key.prf", section: "Service1", line: 10, msg: `key "Colour" has no mapping in [Personal Folders]`},
		{name: "bad_duplicate_section.prf", section: "general", line: 7, msg: "duplicate section (first on line 1)"},
		{name: "bad_no_smtpserver.prf", section: "Account1", line: 7, msg: `account "Work IMAP" has no SMTPServer`},
		{name: "bad_account_mapping_no_type.prf", section: "I_Mail", line: 10, msg: "no AccountType"},
		{name: "bad_secure_value.prf", section: "Service1", line: 9, msg: "Password: PT_BINARY value must be"},
		{name: "bad_syntax.prf", section: "General", line: 3, msg: "expected key=value"},
		{name: "bad_smtp_security.prf", section: "Account1", line: 6, msg: "SMTPSecureConnection must be 0 (none), 1 (TLS) or 2 (STARTTLS)"},
		{name: "bad_utf8_after_bom.prf", line: 3, msg: "invalid UTF-8"},

		{name: "empty", text: "; nothing\r\n\r\n", msg: "no sections"},
		{name: "key before section", text: "ProfileName=x\n", line: 1, msg: "before the first section"},
		{name: "unclosed header", text: "[General\n", line: 1, msg: "closing bracket"},
		{name: "junk after header", text: "[General] x\n", line: 1, msg: "text after a section header"},
		{name: "empty section name", text: "[General]\n[ ]\n", section: "General", line: 2, msg: "empty section name"},
		{name: "empty key", text: "[General]\n=x\n", section: "General", line: 2, msg: "empty key"},
		{name: "duplicate key", text: "[General]\nProfileName=a\nprofilename=b\n", section: "General", line: 3, msg: `duplicate key "profilename" (first on line 2)`},
		{name: "NUL", text: "[General]\nA=\x00\n", section: "General", line: 2, msg: "NUL character"},
		{name: "control char", text: "[General]\nA=a\rb\n", section: "General", line: 2, msg: "control character"},
		{name: "overwrite", text: "[General]\nOverwriteProfile=Maybe\n", section: "General", line: 2, msg: "OverwriteProfile must be Yes, No or Append"},
		{name: "default profile", text: "[General]\nDefaultProfile=perhaps\n", section: "General", line: 2, msg: "DefaultProfile: must be Yes"},
		{name: "default store", text: "[General]\nDefaultStore=Service9\n", section: "General", line: 2, msg: `DefaultStore "Service9" is not a service`},
		{name: "empty mapping name", text: "[Service List]\nService1=\n", section: "Service List", line: 2, msg: "names no mapping section"},
		{name: "reserved mapping name", text: "[General]\n[Service List]\nService1=general\n", section: "Service List", line: 3, msg: "not a mapping section"},
		{name: "mapping without service", text: "[Service List]\nS=M\n[M]\nA=PT_LONG,0x6600\n", section: "M", line: 3, msg: "neither ServiceName nor SectionGUID"},
		{name: "bad GUID", text: "[Service List]\nS=M\n[M]\nSectionGUID=13dbb0c8\n", section: "M", line: 4, msg: "SectionGUID must be 32 hex digits"},
		{name: "unsupported type", text: "[Service List]\nS=M\n[M]\nServiceName=X\nT=PT_SYSTIME,0x6600\n", section: "M", line: 5, msg: `unsupported property type "PT_SYSTIME"`},
		{name: "named ID", text: "[Service List]\nS=M\n[M]\nServiceName=X\nT=PT_LONG,0x8001\n", section: "M", line: 5, msg: "reserved or named"},
		{name: "bad UniqueService", text: "[Service List]\nS=M\n[M]\nServiceName=X\n[S]\nUniqueService=often\n", section: "S", line: 6, msg: "UniqueService must be"},
		{name: "same property twice", text: "[Service List]\nS=M\n[M]\nServiceName=X\nA=PT_LONG,0x6600\nB=PT_STRING8,0x6600\n[S]\nA=1\nB=x\n", section: "S", line: 9, msg: "B sets the same property as A"},
		{name: "missing account section", text: "[Internet Account List]\nAccount1=I_Mail\n[I_Mail]\nAccountType=POP3\n", section: "Internet Account List", line: 2, msg: "account section [Account1] not found"},
		{name: "missing account mapping", text: "[Internet Account List]\nAccount1=I_Mail\n[Account1]\nSMTPServer=x\n", section: "Internet Account List", line: 2, msg: "mapping section [I_Mail] not found"},
		{name: "account unmapped key", text: "[Internet Account List]\nA=I_Mail\n[A]\nSMTPServer=x\nPassword=y\n[I_Mail]\nAccountType=POP3\nSMTPServer=PT_UNICODE,0x0200\n", section: "A", line: 5, msg: `key "Password" has no mapping in [I_Mail]`},
		{name: "account port range", text: "[Internet Account List]\nA=I_Mail\n[A]\nSMTPServer=x\nSMTPPort=70000\n[I_Mail]\nAccountType=POP3\nSMTPServer=PT_UNICODE,0x0200\nSMTPPort=PT_LONG,0x0201\n", section: "A", line: 5, msg: "SMTPPort must be between 0 and 65535"},
		{name: "account port mapped as string", text: "[Internet Account List]\nA=I_Mail\n[A]\nSMTPServer=x\nSMTPPort=25\n[I_Mail]\nAccountType=POP3\nSMTPServer=PT_UNICODE,0x0200\nSMTPPort=PT_UNICODE,0x0201\n", section: "A", line: 5, msg: "SMTPPort is mapped as PT_UNICODE, not PT_LONG"},
		{name: "duplicate account name", text: "[Internet Account List]\nA=M\nB=M\n[A]\nAccountName=Mail\nSMTPServer=x\n[B]\nAccountName=mail\nSMTPServer=y\n[M]\nAccountType=POP3\nAccountName=PT_UNICODE,0x0002\nSMTPServer=PT_UNICODE,0x0200\n", section: "Internet Account List", line: 3, msg: `account name "mail" is used twice (first on line 2)`},
		{name: "odd UTF-16", text: "\xff\xfe[\x00G", msg: "odd number of bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				f   *File
				err error
			)
			if tt.text == "" {
				f, err = ParseFile("testdata/"+tt.name, testEnv)
			} else {
				f, err = Parse(strings.NewReader(tt.text), testEnv)
			}
			if f != nil {
				t.Errorf("got a File with error %v", err)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			if pe.Section != tt.section || pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("got [%s] line %d %q, want [%s] line %d containing %q", pe.Section, pe.Line, pe.Msg, tt.section, tt.line, tt.msg)
			}
			if tt.text == "" && !strings.HasPrefix(err.Error(), "testdata/"+tt.name+": ") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// TestErrorsOmitValues: a value that fails to parse, possibly a secret, is
// never echoed.
func TestErrorsOmitValues(t *testing.T) {
	for _, text := range []string{
		"[Service List]\nS=M\n[M]\nServiceName=X\nPassword=PT_BINARY,0x67F1\n[S]\nPassword=hunter2\n",
		"[Service List]\nS=M\n[M]\nServiceName=X\nPin=PT_LONG,0x67F0\n[S]\nPin=hunter2\n",
		"[Service List]\nS=M\n[M]\nServiceName=X\nKeep=PT_BOOLEAN,0x67F0\n[S]\nKeep=hunter2\n",
	} {
		_, err := Parse(strings.NewReader(text), nil)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error %v for %q", err, text)
		}
	}
	data, err := os.ReadFile("testdata/bad_secure_value.prf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(strings.NewReader(string(data)), nil); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("secure value leaked or accepted: %v", err)
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{File: "outlook.prf", Section: "Service2", Line: 14, Msg: "bad"}, "outlook.prf: [Service2] line 14: bad"},
		{Error{Section: "Service2", Line: 14, Msg: "bad"}, "[Service2] line 14: bad"},
		{Error{Section: "I_Mail", Msg: "bad"}, "[I_Mail]: bad"},
		{Error{Line: 3, Msg: "bad"}, "line 3: bad"},
		{Error{File: "x.prf", Msg: "bad"}, "x.prf: bad"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestReadErrors(t *testing.T) {
	_, err := Parse(failReader{}, nil)
	var pe *Error
	if !errors.As(err, &pe) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("read failure: %v", err)
	}
	big := strings.NewReader("[General]\n" + strings.Repeat(";", MaxSize))
	if _, err := Parse(big, nil); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized input: %v", err)
	}
	if _, err := ParseFile("testdata/does-not-exist.prf", nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
