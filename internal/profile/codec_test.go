package profile

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

func testKey(t testing.TB) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// everyType is a section property bag with one property of every supported
// single-valued and multi-valued type.
func everyType() map[mapi.Tag]any {
	ts := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	g := mapi.GUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	return map[mapi.Tag]any{
		mapi.NewTag(mapi.PtShort, 0x7001):               int16(-7),
		mapi.NewTag(mapi.PtLong, 0x7002):                int32(123456),
		mapi.NewTag(mapi.PtDouble, 0x7003):              2.5,
		mapi.NewTag(mapi.PtBoolean, 0x7004):             true,
		mapi.NewTag(mapi.PtI8, 0x7005):                  int64(1) << 60,
		mapi.NewTag(mapi.PtString8, 0x7006):             "ascii",
		mapi.NewTag(mapi.PtUnicode, 0x7007):             "Grüße ✓",
		mapi.NewTag(mapi.PtSysTime, 0x7008):             ts,
		mapi.NewTag(mapi.PtCLSID, 0x7009):               g,
		mapi.NewTag(mapi.PtBinary, 0x700A):              []byte{0, 1, 0xff},
		mapi.NewTag(mapi.PtShort|mapi.MvFlag, 0x700B):   []int16{1, -2},
		mapi.NewTag(mapi.PtLong|mapi.MvFlag, 0x700C):    []int32{3, 4},
		mapi.NewTag(mapi.PtDouble|mapi.MvFlag, 0x700D):  []float64{0.5, -1},
		mapi.NewTag(mapi.PtI8|mapi.MvFlag, 0x700E):      []int64{-1 << 62},
		mapi.NewTag(mapi.PtString8|mapi.MvFlag, 0x700F): []string{"a", "b"},
		mapi.NewTag(mapi.PtUnicode|mapi.MvFlag, 0x7010): []string{"ä", ""},
		mapi.NewTag(mapi.PtSysTime|mapi.MvFlag, 0x7011): []time.Time{ts, ts.Add(time.Hour)},
		mapi.NewTag(mapi.PtCLSID|mapi.MvFlag, 0x7012):   []mapi.GUID{g},
		mapi.NewTag(mapi.PtBinary|mapi.MvFlag, 0x7013):  [][]byte{{1}, {}},
	}
}

func TestCodecRoundTripEveryType(t *testing.T) {
	p := New("work", []string{testKey(t).Recipient().String()})
	s, err := p.AddSection("svc", KindService, "")
	if err != nil {
		t.Fatal(err)
	}
	for tag, v := range everyType() {
		if err := s.SetProp(tag, v); err != nil {
			t.Fatalf("SetProp %s: %v", tag, err)
		}
	}
	first, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Unmarshal(first)
	if err != nil {
		t.Fatalf("Unmarshal: %v\n%s", err, first)
	}
	second, err := Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("round trip changed the document:\n%s\n---\n%s", first, second)
	}
	if err := s.SetProp(mapi.NewTag(mapi.PtLong, 0x8002), int32(1)); err == nil {
		t.Error("SetProp accepted a named-property ID (0x8002) that Unmarshal refuses")
	}
	qs, _ := q.Section("svc")
	for tag, v := range everyType() {
		if err := mapi.CheckType(tag, qs.Props[tag]); err != nil {
			t.Errorf("%s decoded as %T (want %T): %v", tag, qs.Props[tag], v, err)
		}
	}
	if got := qs.Props[mapi.NewTag(mapi.PtUnicode, 0x7007)]; got != "Grüße ✓" {
		t.Errorf("unicode value = %q", got)
	}
}

func TestUnmarshalRejects(t *testing.T) {
	good := `{"format":"mapictl.profile/1","name":"w","uid":"0123456789abcdef0123456789abcdef","recipients":["age1x"],` +
		`"sections":[{"name":"global","uid":"0123456789abcdef0123456789abcdee","kind":"global","props":{}}]}`
	if _, err := Unmarshal([]byte(good)); err != nil {
		t.Fatalf("good document refused: %v", err)
	}
	for name, doc := range map[string]string{
		"not json":        `{`,
		"array":           `[]`,
		"format":          strings.Replace(good, "mapictl.profile/1", "mapictl.profile/2", 1),
		"no name":         strings.Replace(good, `"name":"w",`, "", 1),
		"bad name":        strings.Replace(good, `"name":"w"`, `"name":"../w"`, 1),
		"bad uid":         strings.Replace(good, `0123456789abcdef0123456789abcdef`, `XYZ`, 1),
		"no recipients":   strings.Replace(good, `["age1x"]`, `[]`, 1),
		"no global":       strings.Replace(good, `"kind":"global"`, `"kind":"service"`, 1),
		"bad kind":        strings.Replace(good, `"kind":"global"`, `"kind":"weird"`, 1),
		"secure in props": strings.Replace(good, `"props":{}`, `"props":{"0x67F1001F":"pw"}`, 1),
		"lowercase key":   strings.Replace(good, `"props":{}`, `"props":{"0x3001001f":"x"}`, 1),
		"wrong type":      strings.Replace(good, `"props":{}`, `"props":{"0x66020003":"587"}`, 1),
		"dup prop":        strings.Replace(good, `"props":{}`, `"props":{"0x3001001F":"a","0x3001001F":"b"}`, 1),
		"dup member":      strings.Replace(good, `"kind":"global"`, `"kind":"global","kind":"global"`, 1),
		"dup unknown":     strings.Replace(good, `"kind":"global"`, `"kind":"global","x":1,"x":2`, 1),
		"dup top member":  strings.Replace(good, `"name":"w"`, `"name":"w","name":"w"`, 1),
		"dup section": strings.Replace(good, `"props":{}}]`,
			`"props":{}},{"name":"global","uid":"0123456789abcdef0123456789abcded","kind":"service"}]`, 1),
	} {
		_, err := Unmarshal([]byte(doc))
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if e := mapi.AsError(err); e.Code != mapi.CorruptData {
			t.Errorf("%s: code %v, want MAPI_E_CORRUPT_DATA", name, e.Code)
		}
		if strings.Contains(err.Error(), "pw") && name == "secure in props" {
			t.Errorf("error leaks the secret: %v", err)
		}
	}
}

func TestCheckName(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"work", true}, {"Arbeit-ü_1.x", true}, {"日本語", true}, {"a b", true},
		{strings.Repeat("é", 64), true}, {strings.Repeat("a", 64), true}, {strings.Repeat("a", 65), false},
		{"", false}, {"../x", false}, {".hidden", false}, {" lead", false}, {"trail ", false},
		{"a/b", false}, {`a\b`, false}, {"a\x00b", false}, {"a\nb", false}, {"a\tb", false},
		{"a:b", false}, {"\xff", false},
	} {
		err := CheckName("profile", c.name)
		if (err == nil) != c.ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", c.name, err, c.ok)
		}
		if err != nil && mapi.AsError(err).Code != mapi.InvalidParameter {
			t.Errorf("CheckName(%q): code %v", c.name, mapi.AsError(err).Code)
		}
	}
}

func FuzzUnmarshal(f *testing.F) {
	p := New("seed", []string{"age1qqqq"})
	s, _ := p.AddSection("smtp", KindTransport, "smtp")
	s.Props[mapi.PrSMTPHost] = "mail.example.com"
	svc, _ := p.AddSection("svc", KindService, "")
	for tag, v := range everyType() {
		svc.Props[tag] = v
	}
	doc, _ := Marshal(p)
	f.Add(doc)
	f.Add([]byte(`{"format":"mapictl.profile/1","name":"w","uid":"0123456789abcdef0123456789abcdef","recipients":["r"],` +
		`"x":1,"sections":[{"name":"global","uid":"0123456789abcdef0123456789abcdee","kind":"global","y":[1],` +
		`"secure":{"recipients":["r"],"age":"z","tags":[],"q":null}}]}`))
	f.Add(skimSigned(f)) // version, owners, signing, readers and a signature
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSectionView(t, data)
		p, err := Unmarshal(data)
		if err != nil {
			return
		}
		a, err := Marshal(p)
		if err != nil {
			t.Fatalf("Marshal of a decoded profile: %v", err)
		}
		q, err := Unmarshal(a)
		if err != nil {
			t.Fatalf("re-Unmarshal: %v\n%s", err, a)
		}
		b, err := Marshal(q)
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("not stable: %v\n%s\n---\n%s", err, a, b)
		}
	})
}
