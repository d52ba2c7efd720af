package secure

import (
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestParseRecipient(t *testing.T) {
	x, pq := newKey(t, false), newKey(t, true)
	_, sshPub := sshKey(t, "")
	tests := []struct {
		name, in string
		ok       bool
		sub      string // error must contain
	}{
		{"x25519", x.Recipient, true, ""},
		{"x25519 spaces", "  " + x.Recipient + "\n", true, ""},
		{"post-quantum", pq.Recipient, true, ""},
		{"ssh", sshPub + " alice@host", true, ""},
		{"plugin", "age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t", true, ""},
		{"identity", x.Identity, false, "that is an identity, not a recipient"},
		{"pq identity", pq.Identity, false, "that is an identity, not a recipient"},
		{"lowercase identity", strings.ToLower(x.Identity), false, "that is an identity"},
		{"bad checksum", flipLast(x.Recipient), false, "malformed X25519 recipient"},
		{"bad pq", pq.Recipient[:40], false, "malformed post-quantum recipient"},
		{"bad ssh", "ssh-ed25519 AAAAnotbase64", false, "SSH recipient"},
		{"unknown", "github:alice", false, "unknown recipient type"},
		{"empty", "", false, "empty"},
		{"private key", "-----BEGIN OPENSSH PRIVATE KEY-----", false, "private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRecipient(tt.in)
			if tt.ok {
				if err != nil || r == nil {
					t.Fatalf("ParseRecipient = %v, %v", r, err)
				}
				return
			}
			wantCode(t, err, mapi.InvalidParameter, tt.sub)
			if len(tt.in) > 20 && strings.Contains(err.Error(), strings.TrimSpace(tt.in)[10:]) {
				t.Errorf("error echoes the input: %v", err)
			}
		})
	}
}

func TestNormalizeRecipient(t *testing.T) {
	x := newKey(t, false)
	_, sshPub := sshKey(t, "")
	tests := []struct{ in, want string }{
		{" " + x.Recipient + " ", x.Recipient},
		{strings.ToUpper(x.Recipient), x.Recipient},
		{sshPub + " comment with spaces", sshPub},
		{sshPub, sshPub},
	}
	for _, tt := range tests {
		got, err := NormalizeRecipient(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeRecipient(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	_, err := NormalizeRecipient(x.Identity)
	wantCode(t, err, mapi.InvalidParameter, "identity")
}

func TestParseRecipientsFile(t *testing.T) {
	a, b := newKey(t, false), newKey(t, false)
	_, sshPub := sshKey(t, "")
	good := "# team\n\n" + a.Recipient + "\n  " + b.Recipient + "  \r\n" + sshPub + " bob@laptop\n"
	got, err := ParseRecipientsFile(writeFile(t, "r.txt", []byte(good)))
	want := []string{a.Recipient, b.Recipient, sshPub}
	if err != nil || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("ParseRecipientsFile = %q, %v; want %q", got, err, want)
	}
	tests := []struct {
		name, text string
		code       mapi.Code
		sub        string
	}{
		{"identity line", a.Recipient + "\n" + a.Identity + "\n", mapi.InvalidParameter, "line 2 is an identity"},
		{"bad line", "# x\nage1nope\n", mapi.InvalidParameter, "malformed recipient at line 2"},
		{"empty", "# nothing\n", mapi.InvalidParameter, "no recipients"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRecipientsFile(writeFile(t, "r.txt", []byte(tt.text)))
			wantCode(t, err, tt.code, tt.sub)
			if strings.Contains(err.Error(), "AGE-SECRET") {
				t.Errorf("error echoes a key: %v", err)
			}
		})
	}
	_, err = ParseRecipientsFile(t.TempDir() + "/missing")
	wantCode(t, err, mapi.NotFound, "missing")
}

func TestCheckMix(t *testing.T) {
	x1, x2, p1, p2 := newKey(t, false), newKey(t, false), newKey(t, true), newKey(t, true)
	_, sshPub := sshKey(t, "")
	tests := []struct {
		name string
		rs   []string
		ok   bool
	}{
		{"none", nil, true},
		{"classic", []string{x1.Recipient, x2.Recipient, sshPub}, true},
		{"post-quantum", []string{p1.Recipient, p2.Recipient}, true},
		{"mixed", []string{x1.Recipient, p1.Recipient}, false},
		{"ssh and pq", []string{p1.Recipient, sshPub}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckMix(tt.rs)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if len(tt.rs) > 0 {
					mustEncrypt(t, "ok", tt.rs...)
				}
				return
			}
			wantCode(t, err, mapi.InvalidParameter, "age cannot encrypt to post-quantum and classic recipients at once: ")
			_, err = Encrypt([]byte("x"), tt.rs)
			wantCode(t, err, mapi.InvalidParameter, "post-quantum and classic")
		})
	}
}

func TestIsPQ(t *testing.T) {
	x, pq := newKey(t, false), newKey(t, true)
	for s, want := range map[string]bool{
		x.Identity: false, x.Recipient: false, pq.Identity: true, pq.Recipient: true,
		"ssh-ed25519 AAAA": false, "": false,
	} {
		if IsPQ(s) != want {
			t.Errorf("IsPQ(%.20q) = %v", s, !want)
		}
	}
}

func TestEncryptRecipientErrors(t *testing.T) {
	_, err := Encrypt([]byte("x"), nil)
	wantCode(t, err, mapi.InvalidParameter, "no recipients")
	_, err = EncryptArmored([]byte("x"), []string{"age1bad"})
	wantCode(t, err, mapi.InvalidParameter, "")
}

// flipLast replaces the last character of a bech32 string with another one
// of its alphabet, so the checksum is always wrong (a fixed "q" left a key
// ending in q intact, one run in 32).
func flipLast(s string) string {
	last := "q"
	if strings.HasSuffix(s, "q") {
		last = "p"
	}
	return s[:len(s)-1] + last
}

// TestSecretKind: every private key a user could paste where a recipient
// belongs is recognised (so that no message prints it), no recipient is.
func TestSecretKind(t *testing.T) {
	x, pq := newKey(t, false), newKey(t, true)
	_, sshPub := sshKey(t, "")
	for _, s := range []string{x.Identity, pq.Identity, " " + strings.ToLower(x.Identity), "AGE-PLUGIN-YUBIKEY-1QQQ",
		"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn...", "-----BEGIN AGE ENCRYPTED FILE-----"} {
		if SecretKind(s) == "" {
			t.Errorf("SecretKind(%.24q) = \"\"", s)
		}
	}
	for _, s := range []string{x.Recipient, pq.Recipient, sshPub, "github:alice", ""} {
		if k := SecretKind(s); k != "" {
			t.Errorf("SecretKind(%.24q) = %q", s, k)
		}
	}
}
