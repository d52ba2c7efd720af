package term

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// scripted is a Prompter answering from a list; it records the prompts.
type scripted struct {
	answers []string
	asked   []string
	secret  []bool
}

func (s *scripted) CanPrompt() bool { return true }

func (s *scripted) next(prompt string, secret bool) (string, error) {
	s.asked = append(s.asked, prompt)
	s.secret = append(s.secret, secret)
	if len(s.answers) == 0 {
		return "", errors.New("no more answers")
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return a, nil
}

func (s *scripted) Secret(_ context.Context, prompt string) ([]byte, error) {
	a, err := s.next(prompt, true)
	return []byte(a), err
}

func (s *scripted) Line(_ context.Context, prompt string) (string, error) {
	return s.next(prompt, false)
}

func TestConfirm(t *testing.T) {
	for ans, want := range map[string]bool{
		"y": true, "Y": true, "yes": true, " YES \t": true,
		"": false, "n": false, "no": false, "yess": false, "1": false,
	} {
		p := &scripted{answers: []string{ans}}
		got, err := Confirm(context.Background(), p, "Delete? [y/N]")
		if err != nil || got != want {
			t.Errorf("Confirm answered %q = %v, %v; want %v", ans, got, err, want)
		}
		if len(p.asked) != 1 || p.asked[0] != "Delete? [y/N]" || p.secret[0] {
			t.Errorf("asked %q (secret %v)", p.asked, p.secret)
		}
	}
	if _, err := Confirm(context.Background(), &scripted{}, "Delete?"); err == nil {
		t.Error("Confirm hid the prompt's error")
	}
}

func TestPluginUI(t *testing.T) {
	ctx := context.Background()
	var w bytes.Buffer
	p := &scripted{answers: []string{"123456", "alice", "", "x", "2", "1"}}
	ui := PluginUI(ctx, p, &w)

	if v, err := ui.RequestValue("yubikey", "PIN:", true); err != nil || v != "123456" || !p.secret[0] {
		t.Fatalf("secret RequestValue = %q, %v (secret %v)", v, err, p.secret)
	}
	if v, err := ui.RequestValue("yubikey", "Name:", false); err != nil || v != "alice" || p.secret[1] {
		t.Fatalf("RequestValue = %q, %v", v, err)
	}
	// Only a "yes": Enter confirms, on a secret prompt.
	if ok, err := ui.Confirm("yubikey", "Touch", "done", ""); err != nil || !ok || !p.secret[2] ||
		p.asked[2] != `Touch (press enter for "done")` {
		t.Fatalf("Confirm = %v, %v; asked %q", ok, err, p.asked[2])
	}
	// Yes and no: asked until 1 or 2.
	if ok, err := ui.Confirm("yubikey", "Use it?", "yes", "no"); err != nil || ok || len(p.asked) != 5 ||
		p.asked[3] != `Use it? (type 1 for "yes" or 2 for "no")` {
		t.Fatalf("Confirm = %v, %v; asked %q", ok, err, p.asked)
	}
	if ok, err := ui.Confirm("yubikey", "Again?", "yes", "no"); err != nil || !ok {
		t.Fatalf("Confirm = %v, %v", ok, err)
	}
	if _, err := ui.Confirm("yubikey", "More?", "yes", "no"); err == nil {
		t.Fatal("Confirm hid the prompt's error")
	}

	ui.DisplayMessage("yubikey", "insert the key")
	ui.WaitTimer("yubikey")
	if got, want := w.String(), "mapictl: yubikey plugin: insert the key\nmapictl: waiting on yubikey plugin...\n"; got != want {
		t.Fatalf("messages %q, want %q", got, want)
	}
	if strings.Contains(w.String(), "123456") {
		t.Fatal("a secret reached the messages")
	}
}
