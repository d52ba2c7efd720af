package manifest

import (
	"strings"
	"testing"
)

// FuzzLoad: Load either fails with no manifest, or its manifest encodes
// (YAML and JSON) to documents that load back to the same manifest; no
// error ever repeats a value given as a secret source.
func FuzzLoad(f *testing.F) {
	f.Add(teamDoc)
	f.Add("profile: a\nsections:\n  - name: s\n    kind: service\n    props: {\"0x6601101F\": [x, y], \"0x66020102\": 0a0b}\n")
	f.Add("profile: a\nsections:\n  - name: s\n    credentials: {username: u, password: {command: [pass, show, x]}}\n    recipients: []\n")
	f.Add("{\"profile\": \"a\", \"sections\": [{\"name\": \"g\", \"kind\": \"global\"}]}")
	f.Fuzz(func(t *testing.T, doc string) {
		m, err := Load(strings.NewReader(doc), LoadOptions{AllowValues: true})
		if err != nil {
			if m != nil {
				t.Fatal("error with a manifest")
			}
			if strings.Contains(err.Error(), "SECRETVALUE") && !strings.Contains(doc, "SECRETVALUE:") {
				t.Fatalf("error repeats a value: %v", err)
			}
			return
		}
		for _, enc := range []func() ([]byte, error){m.EncodeYAML, m.EncodeJSON} {
			b, err := enc()
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			m2, err := Load(strings.NewReader(string(b)), LoadOptions{AllowValues: true})
			if err != nil {
				t.Fatalf("re-load of\n%s\nfailed: %v", b, err)
			}
			assertSameManifest(t, m, m2)
		}
	})
}
