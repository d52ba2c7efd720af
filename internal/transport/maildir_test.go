package transport

import (
	"bytes"
	"context"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMaildirDelivers(t *testing.T) {
	root := filepath.Join(t.TempDir(), "Mail", "inbox") // created on demand
	tr := newT(t, Config{Kind: "maildir", MaildirPath: root, Hostname: "host/with:odd"})
	msgs := []string{strings.ReplaceAll(testMsg, "\n", "\r\n"), testMsg}
	for _, m := range msgs {
		res, err := tr.Send(context.Background(), env("bob@example.org", "carol@example.org"), []byte(m))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(res.Accepted, ",") != "bob@example.org,carol@example.org" {
			t.Fatalf("accepted %v", res.Accepted)
		}
	}
	for _, d := range []string{"", "tmp", "new", "cur"} {
		fi, err := os.Stat(filepath.Join(root, d))
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: %v %v", d, fi.Mode(), err)
		}
	}
	if tmp, _ := os.ReadDir(filepath.Join(root, "tmp")); len(tmp) != 0 {
		t.Fatalf("tmp not empty: %v", tmp)
	}
	files, _ := os.ReadDir(filepath.Join(root, "new"))
	if len(files) != 2 || files[0].Name() == files[1].Name() {
		t.Fatalf("new/ holds %v", files)
	}
	for _, f := range files {
		if strings.ContainsAny(f.Name(), "/:") || !strings.HasSuffix(f.Name(), `.host\057with\072odd`) {
			t.Fatalf("file name %q", f.Name())
		}
		p := filepath.Join(root, "new", f.Name())
		fi, _ := os.Stat(p)
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s mode %v", p, fi.Mode())
		}
		raw, _ := os.ReadFile(p)
		if !bytes.Equal(raw, []byte(testMsg)) {
			t.Fatalf("stored %q, want %q", raw, testMsg)
		}
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(m.Body)
		if m.Header.Get("Subject") != "hi" || string(body) != "hello\n.dot line\n" {
			t.Fatalf("parsed subject %q body %q", m.Header.Get("Subject"), body)
		}
	}
}

func TestMaildirErrors(t *testing.T) {
	if _, err := New(Config{Kind: "maildir"}); err == nil {
		t.Fatal("empty path accepted")
	} else {
		wantErr(t, err, KindConfig, StageConfig)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	_, err := newT(t, Config{Kind: "maildir", MaildirPath: file}).
		Send(context.Background(), env("bob@example.org"), []byte(testMsg))
	wantErr(t, err, KindTemporary, StageDeliver)
}
