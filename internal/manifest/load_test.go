package manifest

import (
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

const teamDoc = `profile: team
default: true
sections:
  - name: smtp-ci
    kind: transport
    transport: smtp
    props:
      display-name: CI Bot
      PR_EMAIL_ADDRESS: ci@example.com
      smtp.host: smtp.example.com
      "0x66020003": 587
    credentials:
      username: ci@example.com
      password: {env: CI_SMTP_PASSWORD}
  - name: ldap
    kind: service
    props:
      "0x6601001E": ldap.example
`

func TestLoadResolvesNames(t *testing.T) {
	m := mustLoad(t, teamDoc, LoadOptions{})
	if m.Profile != "team" || m.Default == nil || !*m.Default || len(m.Sections) != 2 {
		t.Fatalf("got %+v", m)
	}
	ci := m.Sections[0]
	want := []struct {
		tag mapi.Tag
		val any
	}{{mapi.PrDisplayName, "CI Bot"}, {mapi.PrEmailAddress, "ci@example.com"}, {mapi.PrSMTPHost, "smtp.example.com"}, {mapi.PrSMTPPort, int32(587)}}
	for i, w := range want {
		if ci.Props[i].Tag != w.tag || ci.Props[i].Value != w.val {
			t.Errorf("prop %d = %v %#v, want %v %#v", i, ci.Props[i].Tag, ci.Props[i].Value, w.tag, w.val)
		}
	}
	if ci.Credentials[0].Tag != mapi.PrUsername || ci.Credentials[1].Tag != mapi.PrPassword || ci.Credentials[1].Source.Env != "CI_SMTP_PASSWORD" {
		t.Errorf("credentials = %+v", ci.Credentials)
	}
	if m.Sections[1].Props[0].Tag != 0x6601001E {
		t.Errorf("service prop tag = %v", m.Sections[1].Props[0].Tag)
	}
}

func TestLoadErrors(t *testing.T) {
	const secret = "hunter2-do-not-print"
	tests := []struct {
		name, doc, code, msg string
		o                    LoadOptions
	}{
		{"empty", "", "MAPI_E_CORRUPT_DATA", "empty", LoadOptions{}},
		{"syntax", "profile: [", "MAPI_E_CORRUPT_DATA", "malformed", LoadOptions{}},
		{"unknown field", "profile: a\nextra: 1\n", "MAPI_E_CORRUPT_DATA", "extra", LoadOptions{}},
		{"unknown section field", "profile: a\nsections:\n  - name: s\n    bogus: 1\n", "MAPI_E_CORRUPT_DATA", "bogus", LoadOptions{}},
		{"two documents", "profile: a\n---\nprofile: b\n", "MAPI_E_CORRUPT_DATA", "more than one", LoadOptions{}},
		{"no profile", "sections: []\n", "MAPI_E_CORRUPT_DATA", "profile is required", LoadOptions{}},
		{"bad profile name", "profile: a/b\n", "MAPI_E_INVALID_PARAMETER", "", LoadOptions{}},
		{"bad recipient", "profile: a\nrecipients: [age1nope]\n", "MAPI_E_INVALID_PARAMETER", "", LoadOptions{}},
		{"duplicate section", "profile: a\nsections:\n  - name: s\n  - name: s\n", "MAPI_E_INVALID_PARAMETER", "twice", LoadOptions{}},
		{"bad kind", "profile: a\nsections:\n  - name: s\n    kind: nope\n", "MAPI_E_INVALID_PARAMETER", "kind", LoadOptions{}},
		{"transport on service", "profile: a\nsections:\n  - name: s\n    kind: service\n    transport: smtp\n", "MAPI_E_INVALID_PARAMETER", "transport", LoadOptions{}},
		{"alias outside transport", "profile: a\nsections:\n  - name: s\n    kind: service\n    props: {smtp.host: x}\n", "MAPI_E_INVALID_PARAMETER", "line 5", LoadOptions{}},
		{"secure prop under props", "profile: a\nsections:\n  - name: s\n    props: {password: " + secret + "}\n", "MAPI_E_INVALID_PARAMETER", "secure", LoadOptions{}},
		{"reserved prop", "profile: a\nsections:\n  - name: s\n    props: {PR_SEARCH_KEY: '00'}\n", "MAPI_E_INVALID_PARAMETER", "maintained", LoadOptions{}},
		{"bad value", "profile: a\nsections:\n  - name: s\n    props: {smtp.port: " + secret + "}\n", "MAPI_E_INVALID_PARAMETER", "smtp.port", LoadOptions{}},
		{"prop twice", "profile: a\nsections:\n  - name: s\n    props: {email: a@b, PR_EMAIL_ADDRESS_W: c@d}\n", "MAPI_E_INVALID_PARAMETER", "twice", LoadOptions{}},
		{"literal secret", "profile: a\nsections:\n  - name: s\n    credentials: {password: " + secret + "}\n", "MAPI_E_INVALID_PARAMETER", "literal", LoadOptions{}},
		{"value without flag", "profile: a\nsections:\n  - name: s\n    credentials: {password: {value: " + secret + "}}\n", "MAPI_E_INVALID_PARAMETER", "plain-text", LoadOptions{}},
		{"non-secure credential", "profile: a\nsections:\n  - name: s\n    credentials: {email: {env: X}}\n", "MAPI_E_INVALID_PARAMETER", "not a secure", LoadOptions{}},
		{"two sources", "profile: a\nsections:\n  - name: s\n    credentials: {password: {env: X, file: y}}\n", "MAPI_E_CORRUPT_DATA", "exactly one", LoadOptions{}},
		{"unknown source", "profile: a\nsections:\n  - name: s\n    credentials: {password: {vault: " + secret + "}}\n", "MAPI_E_CORRUPT_DATA", "unknown credential source", LoadOptions{}},
		{"stdin twice", "profile: a\nsections:\n  - name: s\n    credentials: {password: {stdin: true}, oauth2-token: {stdin: true}}\n", "MAPI_E_INVALID_PARAMETER", "stdin", LoadOptions{}},
		{"stdin not true", "profile: a\nsections:\n  - name: s\n    credentials: {password: {stdin: " + secret + "}}\n", "MAPI_E_CORRUPT_DATA", "stdin wants true", LoadOptions{}},
		{"empty command", "profile: a\nsections:\n  - name: s\n    credentials: {password: {command: []}}\n", "MAPI_E_CORRUPT_DATA", "command", LoadOptions{}},
		{"prop key twice", "profile: a\nsections:\n  - name: s\n    props:\n      smtp.host: x\n      smtp.host: y\n", "MAPI_E_CORRUPT_DATA", `line 6: mapping key "smtp.host" already defined at line 5`, LoadOptions{}},
		{"credential key twice", "profile: a\nsections:\n  - name: s\n    credentials: {password: {env: A}, password: {env: B}}\n", "MAPI_E_CORRUPT_DATA", `mapping key "password" already defined`, LoadOptions{}},
		{"profile key twice", "profile: a\nprofile: b\n", "MAPI_E_CORRUPT_DATA", `mapping key "profile" already defined`, LoadOptions{}},
		{"unknown field said plainly", "profile: a\nextra: 1\n", "MAPI_E_CORRUPT_DATA", `line 2: unknown field "extra" at the top level (allowed there: profile, owners, recipients, default, sections)`, LoadOptions{}},
		{"unknown section field said plainly", "profile: a\nsections:\n  - name: s\n    bogus: 1\n", "MAPI_E_CORRUPT_DATA", `line 4: unknown field "bogus" in a section (allowed there: name, kind, transport, props, credentials, readers, recipients)`, LoadOptions{}},
		{"bad owner named", "profile: a\nowners:\n  - age1nope\n", "MAPI_E_INVALID_PARAMETER", `owners, line 3: recipient "age1nope": malformed X25519 recipient`, LoadOptions{}},
		{"bad old recipient named", "profile: a\nowners: [age1kdgx3m5p5t09gjh6yp5z0m422a8zag0hht6es5r86h95qx99455qtlhlvw]\nrecipients: [github:alice]\n", "MAPI_E_INVALID_PARAMETER", `recipients, line 3: recipient "github:alice": unknown recipient type`, LoadOptions{}},
		{"bad reader named", "profile: a\nsections:\n  - name: s\n  - name: t\n    readers:\n      - ssh-nope\n", "MAPI_E_INVALID_PARAMETER", `section "t", readers, line 6: recipient "ssh-nope"`, LoadOptions{}},
		{"secret key as reader", "profile: a\nsections:\n  - name: s\n    readers: [AGE-SECRET-KEY-1" + secret + "]\n", "MAPI_E_INVALID_PARAMETER", `section "s", readers, line 4: that is an age secret key (AGE-SECRET-KEY-…), not a recipient; it must not be in the file`, LoadOptions{}},
		{"secret key as owner", "profile: a\nowners: [age-secret-key-1" + secret + "]\n", "MAPI_E_INVALID_PARAMETER", `owners, line 2: that is an age secret key`, LoadOptions{}},
		{"type error quoting value", "profile: a\ndefault: " + secret + "\n", "MAPI_E_CORRUPT_DATA", "", LoadOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tt.doc), tt.o)
			if codeOf(err) != tt.code {
				t.Fatalf("err = %v (%s), want %s", err, codeOf(err), tt.code)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.msg)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "manifest.") {
				t.Errorf("error text holds the secret: %q", err)
			}
		})
	}
}

func TestLoadAcceptsValueWithFlagAndLiteralUsername(t *testing.T) {
	m := mustLoad(t, "profile: a\nsections:\n  - name: s\n    credentials: {username: bob, password: {value: pw}}\n", LoadOptions{AllowValues: true})
	c := m.Sections[0].Credentials
	if c[0].Source.Literal != "bob" || c[1].Source.Value == nil || *c[1].Source.Value != "pw" {
		t.Fatalf("credentials = %+v", c)
	}
}

// TestMarshalRoundTrip: encode (YAML and JSON) then Load gives the same manifest.
func TestMarshalRoundTrip(t *testing.T) {
	m := mustLoad(t, teamDoc, LoadOptions{})
	for _, enc := range []func() ([]byte, error){m.EncodeYAML, m.EncodeJSON} {
		b, err := enc()
		if err != nil {
			t.Fatal(err)
		}
		m2 := mustLoad(t, string(b), LoadOptions{})
		assertSameManifest(t, m, m2)
	}
}

func assertSameManifest(t *testing.T, a, b *Manifest) {
	t.Helper()
	ea, _ := a.EncodeJSON()
	eb, _ := b.EncodeJSON()
	if string(ea) != string(eb) {
		t.Fatalf("manifests differ:\n%s\n%s", ea, eb)
	}
}
