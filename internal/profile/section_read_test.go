package profile

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// checkSectionView asserts that UnmarshalSection agrees with Unmarshal on
// data: every section of an accepted document reads back equal, and a
// document Unmarshal refuses is refused too unless only another section's
// body is bad.
func checkSectionView(t *testing.T, data []byte) {
	t.Helper()
	p, err := Unmarshal(data)
	if err != nil {
		return
	}
	for _, want := range p.Sections {
		name, got, err := UnmarshalSection(data, want.Name)
		if err != nil {
			t.Fatalf("UnmarshalSection(%q) of a valid document: %v", want.Name, err)
		}
		if name != p.Name {
			t.Errorf("profile name %q, want %q", name, p.Name)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("section %q differs:\n got %#v\nwant %#v", want.Name, got, want)
		}
	}
	if _, _, err := UnmarshalSection(data, "no-such-section"); mapi.AsError(err).Code != mapi.NotFound {
		t.Errorf("missing section: %v, want MAPI_E_NOT_FOUND", err)
	}
}

func TestUnmarshalSectionAgrees(t *testing.T) {
	data, err := Marshal(skimProfile(t))
	if err != nil {
		t.Fatal(err)
	}
	checkSectionView(t, data)
	_, s, err := UnmarshalSection(data, "smtp")
	if err != nil {
		t.Fatal(err)
	}
	if s.Secure == nil || !strings.HasPrefix(s.Secure.Age(), "-----BEGIN AGE ENCRYPTED FILE-----") {
		t.Fatalf("secure range not read: %#v", s.Secure)
	}
}

// TestUnmarshalSectionRefuses lists what a reader of one section still
// refuses in the rest of the document, and the one thing it lets pass: a bad
// body (props or secure range) of a section it does not read, which every
// writer and every whole-profile reader still refuses.
func TestUnmarshalSectionRefuses(t *testing.T) {
	const other = `{"name":"other","uid":"0123456789abcdef0123456789abcd01","kind":"service","props":{}}`
	good := `{"format":"mapictl.profile/1","name":"w","uid":"0123456789abcdef0123456789abcdef","recipients":["age1x"],` +
		`"sections":[{"name":"global","uid":"0123456789abcdef0123456789abcdee","kind":"global","props":{}},` + other + `]}`
	if _, _, err := UnmarshalSection([]byte(good), "global"); err != nil {
		t.Fatalf("good document refused: %v", err)
	}
	for name, bad := range map[string]string{
		"syntax in another section":   strings.Replace(good, `"props":{}}]`, `"props":{,}}]`, 1),
		"bad uid in another section":  strings.Replace(good, "abcd01", "XYZ", 1),
		"bad name in another section": strings.Replace(good, `"name":"other"`, `"name":"../x"`, 1),
		"duplicate section name":      strings.Replace(good, `"name":"other"`, `"name":"global"`, 1),
		"second global":               strings.Replace(good, `"kind":"service"`, `"kind":"global"`, 1),
		"bad kind in another section": strings.Replace(good, `"kind":"service"`, `"kind":"weird"`, 1),
		"duplicate member":            strings.Replace(good, `"kind":"service"`, `"kind":"service","kind":"store"`, 1),
		"trailing data":               good + `{}`,
		"wrong format":                strings.Replace(good, "profile/1", "profile/9", 1),
		"secure tag in read section":  strings.Replace(good, `"global","props":{}`, `"global","props":{"0x67F1001F":"pw"}`, 1),
		"wrong type in read section":  strings.Replace(good, `"global","props":{}`, `"global","props":{"0x66020003":"587"}`, 1),
	} {
		_, _, err := UnmarshalSection([]byte(bad), "global")
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if e := mapi.AsError(err); e.Code != mapi.CorruptData {
			t.Errorf("%s: code %v, want MAPI_E_CORRUPT_DATA", name, e.Code)
		}
		if strings.Contains(err.Error(), "pw") {
			t.Errorf("%s: error leaks the secret: %v", name, err)
		}
	}
	lax := strings.Replace(good, other, strings.Replace(other, `"props":{}`, `"props":{"0x67F1001F":"pw"}`, 1), 1)
	if _, err := Unmarshal([]byte(lax)); err == nil {
		t.Fatal("Unmarshal accepted a secure tag in props")
	}
	if _, _, err := UnmarshalSection([]byte(lax), "global"); err != nil {
		t.Errorf("a bad body of an unread section should not stop a reader of another: %v", err)
	}
}
