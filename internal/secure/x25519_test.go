package secure

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Both implementations of the X25519 identity must agree on every input:
// which strings parse, which key they name, which stanzas open, what they
// yield and which errors are "not for me" (age.ErrIncorrectIdentity, so the
// next identity is tried) rather than "malformed" (decryption stops).

func newKeyPair(t testing.TB) (*age.X25519Identity, *x25519Identity) {
	t.Helper()
	theirs, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	ours, err := parseX25519Identity(theirs.String())
	if err != nil {
		t.Fatalf("parseX25519Identity(age's own key): %v", err)
	}
	return theirs, ours
}

func TestX25519IdentityDecryptsWhatAgeEncrypts(t *testing.T) {
	theirs, ours := newKeyPair(t)
	other, _ := newKeyPair(t)
	if got, err := ours.recipient(); err != nil || got != theirs.Recipient().String() {
		t.Fatalf("recipient = %s, %v; want %s", got, err, theirs.Recipient())
	}
	for _, size := range []int{0, 1, 64 << 10, 64<<10 + 1} {
		plain := make([]byte, size)
		rand.Read(plain)
		var ct bytes.Buffer
		// our recipient second: Unwrap must skip the stanza that is not ours
		w, err := age.Encrypt(&ct, other.Recipient(), theirs.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		w.Write(plain)
		w.Close()
		got, err := Decrypt(ct.Bytes(), []age.Identity{ours})
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("size %d: Decrypt = %d bytes, %v", size, len(got), err)
		}
	}
}

func TestX25519IdentityWrongKeyIsNoAccess(t *testing.T) {
	theirs, _ := newKeyPair(t)
	_, stranger := newKeyPair(t)
	var ct bytes.Buffer
	w, _ := age.Encrypt(&ct, theirs.Recipient())
	w.Write([]byte("secret"))
	w.Close()
	_, err := Decrypt(ct.Bytes(), []age.Identity{stranger})
	wantCode(t, err, mapi.NoAccess, "")
}

// unwrapBoth runs both identities on the same stanzas and fails the test if
// they disagree on the key or on the kind of error.
func unwrapBoth(t *testing.T, theirs *age.X25519Identity, ours *x25519Identity, stanzas []*age.Stanza) {
	t.Helper()
	kt, et := theirs.Unwrap(stanzas)
	ko, eo := ours.Unwrap(stanzas)
	if !bytes.Equal(kt, ko) {
		t.Fatalf("file keys differ: age %x, ours %x", kt, ko)
	}
	if (et == nil) != (eo == nil) || errors.Is(et, age.ErrIncorrectIdentity) != errors.Is(eo, age.ErrIncorrectIdentity) {
		t.Fatalf("errors differ: age %v, ours %v", et, eo)
	}
}

func TestX25519IdentityUnwrapMatchesAge(t *testing.T) {
	theirs, ours := newKeyPair(t)
	fileKey := make([]byte, fileKeySize)
	rand.Read(fileKey)
	good, err := theirs.Recipient().Wrap(fileKey)
	if err != nil {
		t.Fatal(err)
	}
	s := good[0]
	mut := func(f func(*age.Stanza)) []*age.Stanza {
		c := &age.Stanza{Type: s.Type, Args: append([]string(nil), s.Args...), Body: append([]byte(nil), s.Body...)}
		f(c)
		return []*age.Stanza{c}
	}
	lowOrder := make([]byte, 43) // base64 of 32 zero bytes: the all-zero point
	for i := range lowOrder {
		lowOrder[i] = 'A'
	}
	cases := map[string][]*age.Stanza{
		"good":                 good,
		"none":                 nil,
		"other type":           mut(func(c *age.Stanza) { c.Type = "scrypt" }),
		"no args":              mut(func(c *age.Stanza) { c.Args = nil }),
		"two args":             mut(func(c *age.Stanza) { c.Args = append(c.Args, "x") }),
		"padded base64":        mut(func(c *age.Stanza) { c.Args[0] += "=" }),
		"newline in arg":       mut(func(c *age.Stanza) { c.Args[0] = c.Args[0][:10] + "\n" + c.Args[0][10:] }),
		"short point":          mut(func(c *age.Stanza) { c.Args[0] = c.Args[0][:40] }),
		"non-canonical base64": mut(func(c *age.Stanza) { c.Args[0] = c.Args[0][:42] + "B" }),
		"low-order point":      mut(func(c *age.Stanza) { c.Args[0] = string(lowOrder) }),
		"flipped body":         mut(func(c *age.Stanza) { c.Body[0] ^= 1 }),
		"short body":           mut(func(c *age.Stanza) { c.Body = c.Body[:31] }),
		"long body":            mut(func(c *age.Stanza) { c.Body = append(c.Body, 0) }),
		"other point":          mut(func(c *age.Stanza) { c.Args[0] = strings.Repeat("B", 42) + "A" }),
	}
	cases["not mine, then mine"] = append(mut(func(c *age.Stanza) { c.Body[5] ^= 1 }), good...)
	cases["malformed, then mine"] = append(mut(func(c *age.Stanza) { c.Args = nil }), good...)
	for name, stanzas := range cases {
		t.Run(name, func(t *testing.T) { unwrapBoth(t, theirs, ours, stanzas) })
	}
}

func TestParseX25519IdentityMatchesAge(t *testing.T) {
	theirs, _ := newKeyPair(t)
	key := theirs.String()
	inputs := []string{
		key, strings.ToLower(key), key[:len(key)-1], key + "Q", "",
		"AGE-SECRET-KEY-1", "1QQQQQQ", strings.Replace(key, "AGE-SECRET-KEY-", "AGE-SECRET-KEX-", 1),
		"age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq",
		key[:20] + strings.ToLower(key[20:]),
	}
	for i := 16; i < len(key); i++ { // every data character replaced
		inputs = append(inputs, key[:i]+"Q"+key[i+1:], key[:i]+"Ä"+key[i+1:])
	}
	// valid checksums around bad padding: a 32-byte key is 52 values with
	// 4 spare bits, which must be zero, and no spare value may follow
	_, values, _ := strings.Cut(strings.ToLower(key), "1")
	fives := make([]byte, 0, len(values)-6)
	for _, c := range values[:len(values)-6] {
		fives = append(fives, byte(strings.IndexRune(bech32Charset, c)))
	}
	dirty := append([]byte(nil), fives...)
	dirty[len(dirty)-1] |= 1
	inputs = append(inputs,
		bech32Encode("AGE-SECRET-KEY-", fives),
		bech32Encode("AGE-SECRET-KEY-", dirty),
		bech32Encode("AGE-SECRET-KEY-", append(fives, 0)),
		bech32Encode("AGE-SECRET-KEY-", fives[:len(fives)-1]))
	for _, in := range inputs {
		checkParseAgrees(t, in)
	}
}

// bech32Encode writes 5-bit values with a valid checksum, upper case.
func bech32Encode(hrp string, values []byte) string {
	chk := bech32Polymod(hrp, append(append([]byte(nil), values...), 0, 0, 0, 0, 0, 0)) ^ 1
	var b strings.Builder
	b.WriteString(hrp + "1")
	for _, v := range values {
		b.WriteByte(bech32Charset[v])
	}
	for i := range 6 {
		b.WriteByte(bech32Charset[chk>>(5*(5-i))&31])
	}
	return strings.ToUpper(b.String())
}

func checkParseAgrees(t *testing.T, in string) {
	t.Helper()
	theirs, et := age.ParseX25519Identity(in)
	ours, eo := parseX25519Identity(in)
	if (et == nil) != (eo == nil) {
		t.Fatalf("parse %q: age %v, ours %v", in, et, eo)
	}
	if et != nil {
		return
	}
	if r, err := ours.recipient(); err != nil || r != theirs.Recipient().String() {
		t.Fatalf("parse %q: recipients differ", in)
	}
}

func FuzzParseX25519Identity(f *testing.F) {
	theirs, _ := age.GenerateX25519Identity()
	f.Add(theirs.String())
	f.Add(strings.ToLower(theirs.String()))
	f.Add("AGE-SECRET-KEY-1QQQQQQQ")
	f.Fuzz(func(t *testing.T, in string) { checkParseAgrees(t, in) })
}

func FuzzX25519Unwrap(f *testing.F) {
	theirs, err := age.GenerateX25519Identity()
	if err != nil {
		f.Fatal(err)
	}
	ours, err := parseX25519Identity(theirs.String())
	if err != nil {
		f.Fatal(err)
	}
	good, _ := theirs.Recipient().Wrap(make([]byte, fileKeySize))
	f.Add(good[0].Type, good[0].Args[0], good[0].Body)
	f.Add("X25519", "", []byte{})
	f.Fuzz(func(t *testing.T, typ, arg string, body []byte) {
		unwrapBoth(t, theirs, ours, []*age.Stanza{{Type: typ, Args: []string{arg}, Body: body}})
	})
}

func BenchmarkX25519Unwrap(b *testing.B) {
	theirs, ours := newKeyPair(b)
	stanzas, _ := theirs.Recipient().Wrap(make([]byte, fileKeySize))
	b.Run("age", func(b *testing.B) {
		for b.Loop() {
			theirs.Unwrap(stanzas)
		}
	})
	b.Run("mapictl", func(b *testing.B) {
		for b.Loop() {
			ours.Unwrap(stanzas)
		}
	})
}
