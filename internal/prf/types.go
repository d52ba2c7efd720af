package prf

import (
	"fmt"
	"strings"
)

// Property types a PRF mapping may name.
const (
	PTLong    = 0x0003 // PT_LONG: Value is int32
	PTBoolean = 0x000B // PT_BOOLEAN: Value is bool
	PTString8 = 0x001E // PT_STRING8: Value is string
	PTUnicode = 0x001F // PT_UNICODE: Value is string
	PTBinary  = 0x0102 // PT_BINARY: Value is []byte
)

// The secure property-ID range of a profile section (PROP_ID_SECURE_MIN and
// PROP_ID_SECURE_MAX).
const (
	SecureMin = 0x67F0
	SecureMax = 0x67FF
)

// IsSecure reports whether tag's property ID lies in the secure range.
func IsSecure(tag uint32) bool {
	id := tag >> 16
	return id >= SecureMin && id <= SecureMax
}

// File is a parsed, validated PRF.
type File struct {
	ProfileName    string // [General] ProfileName, %VAR% expanded; may be empty
	DefaultProfile bool   // [General] DefaultProfile
	// Overwrite is [General] OverwriteProfile in lower case: "yes" (replace
	// an existing profile), "no" (fail if it exists; the default when the
	// key is absent or empty) or "append" (update the existing profile).
	Overwrite                     string
	ModifyDefaultProfileIfPresent bool
	DefaultStore                  string            // [General] DefaultStore: the ID of a service in Services, or ""
	General                       map[string]string // every [General] key=value as read (values expanded)
	Services                      []Service         // in [Service List] order
	Accounts                      []Account         // in [Internet Account List] order
	// Warnings lists what Parse read past without refusing the file: keys
	// repeated with the same value, of which the first counts (the Office
	// Customization Tool writes such files). In file order.
	Warnings []Warning
	// Unexpanded lists each %NAME% placeholder ParseReport left as written
	// because its getenv does not define NAME (Windows keeps them too, but
	// the user must hear of it: [SupplyHint] says how to define it), in
	// file order. Parse with a nil getenv lists none.
	Unexpanded []Expansion
}

// Warning is something in a PRF that Parse accepted but a careful reader
// may want to know about. Like [Error] it names the section and line and
// never quotes a value.
type Warning struct {
	Section string // section name as written
	Line    int    // 1-based line
	Msg     string
}

// String formats as `[IMAP_I_Mail] line 40: msg`.
func (w Warning) String() string {
	return (&Error{Section: w.Section, Line: w.Line, Msg: w.Msg}).Error()
}

// Prop is one mapped property of a service or account section.
type Prop struct {
	Key   string // the mapping's name for it, e.g. "ServerName"
	Tag   uint32 // PROP_TAG(type, id)
	Value any    // string, int32, bool or []byte, by the tag's type
	Line  int    // line of the value in the service section
}

// Service is one [Service List] entry resolved through its mapping section.
type Service struct {
	ID          string // the [Service List] key, e.g. "Service1"; also its values section
	Mapping     string // the [Service List] value, e.g. "LDAP Directory" (the mapping section)
	ServiceName string // the mapping's ServiceName= (MapiSvc.inf name, e.g. "EMABLT"); may be empty
	SectionGUID string // the mapping's SectionGUID= as 32 lower-case hex digits, or ""
	MDBGUID     string // the mapping's MDBGUID= likewise
	Name        string // display name: Name= if mapped and set, else a string mapped to ID 0x3001, else Mapping
	Props       []Prop // set, non-secure properties, in file order
	Secure      []Prop // set properties with IDs 0x67F0-0x67FF, in file order
	// Unique and OverwriteExisting are UniqueService= and
	// OverwriteExistingService=, nil when absent or empty.
	Unique, OverwriteExisting *bool
	Line                      int // line of the entry in [Service List]
}

// Account is one [Internet Account List] entry, read through its account
// mapping section, with the fields an SMTP transport needs picked out.
type Account struct {
	ID          string // the [Internet Account List] key, e.g. "Account1"; also its section
	Mapping     string // "I_Mail", "IMAP_I_Mail", "INET_HTTP", ...
	AccountType string // the mapping's AccountType=, e.g. "POP3" or "IMAP"

	AccountName, DisplayName, EmailAddress, ReplyEmailAddress, Organization string

	IncomingServer, IncomingUser string // POP3Server/IMAPServer, POP3UserName/IMAPUserName
	IncomingPort                 int    // POP3Port/IMAPPort; 0 if absent
	// IncomingProtocol is "pop3" or "imap": the prefix IncomingServer was
	// read under (AccountType decides when it names one); "" without an
	// incoming server.
	IncomingProtocol string
	// IncomingSecurity is POP3UseSSL/IMAPUseSSL: "none" (0, and Outlook's
	// default when absent), "starttls" (2) or "tls" (any other value:
	// implicit TLS). "" without an incoming server.
	IncomingSecurity string
	// LeaveOnServer is the POP3 LeaveOnServer flags (PROP_POP_LEAVE_ON_SERVER,
	// ID 0x1000): bit 0x1 leaves a copy on the server, 0x2 removes it after
	// the days in the high word, 0x4 when deleted from Deleted Items. nil
	// when absent.
	LeaveOnServer *uint32

	SMTPServer string // never empty
	SMTPPort   int    // 0 if absent
	// SMTPSecurity is SMTPSecureConnection: "none" (0, and Outlook's
	// default when absent), "tls" (1, implicit TLS) or "starttls" (2).
	SMTPSecurity   string
	SMTPUseAuth    bool
	SMTPAuthMethod int
	// SMTPUserName is the user name for SMTP AUTH: the incoming user name
	// when SMTPUseAuth is set and SMTPAuthMethod is 0 ("same settings as my
	// incoming mail server"), else SMTPUserName as written.
	SMTPUserName string
	Raw          map[string]string // every key=value of the account section as read (values expanded)
	Line         int               // line of the entry in [Internet Account List]
}

// Error is a malformed or unresolvable PRF: it names the section and line
// (either may be zero when it does not apply) and never quotes a value.
type Error struct {
	File    string // file name, set by ParseFile; "" from Parse
	Line    int    // 1-based line, 0 if none
	Section string // section name as written, "" if none
	Msg     string
	Err     error // underlying error (reading the input), if any
}

// Error formats as `outlook.prf: [Service2] line 14: msg`, leaving out the
// parts that are not set.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ": ")
	}
	if e.Section != "" {
		b.WriteString("[" + e.Section + "]")
		if e.Line > 0 {
			b.WriteString(" ")
		} else {
			b.WriteString(": ")
		}
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying read error, if any.
func (e *Error) Unwrap() error { return e.Err }

func errorf(section string, line int, format string, args ...any) *Error {
	return &Error{Section: section, Line: line, Msg: fmt.Sprintf(format, args...)}
}
