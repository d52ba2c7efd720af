package secure

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"filippo.io/age"
)

func TestResolveAndMergeRecipients(t *testing.T) {
	var rs []string
	for range 3 {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, id.Recipient().String())
	}
	file := filepath.Join(t.TempDir(), "r.txt")
	if err := os.WriteFile(file, []byte("# admins\n"+rs[2]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	given, err := ResolveRecipients([]string{" " + rs[1] + " ", rs[0]}, file)
	if err != nil || !slices.Equal(given, []string{rs[1], rs[0], rs[2]}) {
		t.Fatalf("ResolveRecipients = %v, %v", given, err)
	}
	own := []string{rs[0]}
	all, err := MergeRecipients(own, given)
	if err != nil || !slices.Equal(all, []string{rs[0], rs[1], rs[2]}) {
		t.Fatalf("MergeRecipients = %v, %v", all, err)
	}
	if len(own) != 1 {
		t.Fatal("MergeRecipients changed own")
	}
	if _, err := ResolveRecipients([]string{"age1bogus"}, ""); err == nil {
		t.Fatal("a bad recipient resolved")
	}
}
