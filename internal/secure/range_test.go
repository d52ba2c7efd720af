package secure

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestRangeSealOpen(t *testing.T) {
	a, b := newKey(t, false), newKey(t, false)
	plain := `{"props":{"0x67F0001F":"alice","0x67F1001F":"hunter2"},"recipients":["` + a.Recipient +
		`"],"binds":"abc","future":{"x":[1,2]},"note":"kept"}`
	var r Range
	if err := json.Unmarshal([]byte(plain), &r); err != nil {
		t.Fatal(err)
	}
	armored, err := SealRange(&r, []string{a.Recipient, b.Recipient})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(armored, "hunter2") || !strings.HasPrefix(armored, "-----BEGIN AGE ENCRYPTED FILE-----") {
		t.Fatalf("SealRange output is not armored age:\n%s", armored)
	}
	for _, k := range []*KeyPair{a, b} {
		got, err := OpenRange(armored, load(t, Source{KeyText: k.Identity}))
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Props["0x67F1001F"]) != `"hunter2"` || got.Binds != "abc" ||
			len(got.Recipients) != 1 || got.Recipients[0] != a.Recipient {
			t.Fatalf("OpenRange = %+v", got)
		}
		if string(got.Extra["future"]) != `{"x":[1,2]}` || string(got.Extra["note"]) != `"kept"` {
			t.Fatalf("unknown fields lost: %q", got.Extra)
		}
		again, _ := json.Marshal(got)
		want, _ := json.Marshal(&r)
		if string(again) != string(want) {
			t.Fatalf("re-encoded\n%s\nwant\n%s", again, want)
		}
	}
	_, err = OpenRange(armored, load(t, Source{KeyText: newKey(t, false).Identity}))
	wantCode(t, err, mapi.NoAccess, "")
}

func TestOpenRangeRejects(t *testing.T) {
	k := newKey(t, false)
	ids := load(t, Source{KeyText: k.Identity})
	tests := []struct {
		name, plain, sub string
	}{
		{"non-secure tag", `{"props":{"0x3001001F":"Alice"},"recipients":[],"binds":""}`, "0x3001001F"},
		{"lower-case tag", `{"props":{"0x67f1001f":"x"}}`, "0x67f1001f"},
		{"short tag", `{"props":{"0x67F1":"x"}}`, "0x67F1"},
		{"not an object", `["props"]`, "not a valid JSON object"},
		{"null", `null`, "not a valid JSON object"},
		{"props not an object", `{"props":"0x67F1001F"}`, "not a valid JSON object"},
		{"not json", `props=secret`, "not a valid JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := EncryptArmored([]byte(tt.plain), []string{k.Recipient})
			if err != nil {
				t.Fatal(err)
			}
			_, err = OpenRange(s, ids)
			wantCode(t, err, mapi.CorruptData, tt.sub)
			if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "Alice") {
				t.Errorf("error leaks a value: %v", err)
			}
		})
	}
	_, err := OpenRange("not armored", ids)
	wantCode(t, err, mapi.CorruptData, "")
}

func TestSealRangeRejects(t *testing.T) {
	k := newKey(t, false)
	_, err := SealRange(&Range{Props: map[string]json.RawMessage{"0x67F1001F": []byte(`"x"`)}}, nil)
	wantCode(t, err, mapi.InvalidParameter, "recipient")
	_, err = SealRange(&Range{Props: map[string]json.RawMessage{"0x3001001F": []byte(`"x"`)}}, []string{k.Recipient})
	wantCode(t, err, mapi.InvalidParameter, "0x3001001F")
	_, err = SealRange(nil, []string{k.Recipient})
	wantCode(t, err, mapi.InvalidParameter, "")
	s, err := SealRange(&Range{}, []string{k.Recipient})
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenRange(s, load(t, Source{KeyText: k.Identity}))
	if err != nil || len(r.Props) != 0 || r.Extra != nil {
		t.Fatalf("empty range round trip = %+v, %v", r, err)
	}
}

func TestIsSecureTag(t *testing.T) {
	for tag, want := range map[string]bool{
		"0x67F0001F": true, "0x67FF0102": true, "0x67F10003": true,
		"0x67E0001F": false, "0x6800001F": false, "0x67f0001f": false, "0x67F0001": false, "67F0001F": false,
	} {
		if IsSecureTag(tag) != want {
			t.Errorf("IsSecureTag(%q) = %v", tag, !want)
		}
	}
}
