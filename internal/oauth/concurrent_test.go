package oauth

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
)

// TestMain lets the test binary act as another mapictl process that needs
// a token (MAPICTL_OAUTH_TEST_HELPER): it prints the token or the error.
func TestMain(m *testing.M) {
	if os.Getenv("MAPICTL_OAUTH_TEST_HELPER") == "1" {
		os.Exit(helperProcess())
	}
	os.Exit(m.Run())
}

func helperProcess() int {
	id, err := age.ParseX25519Identity(os.Getenv("H_KEY"))
	if err != nil {
		fmt.Println("ERR", err)
		return 2
	}
	s := Settings{Provider: "custom", ClientID: os.Getenv("H_CLIENT"), TokenURL: os.Getenv("H_TOKEN_URL")}
	src := &Source{Section: "work", Path: os.Getenv("H_PATH"), Settings: s, Binding: os.Getenv("H_BINDING"),
		Identities: []age.Identity{id}, Recipients: fixed(id.Recipient().String()), Timeout: 10 * time.Second}
	tok, err := src.Token(context.Background())
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	fmt.Println("TOKEN", tok)
	return 0
}

// race runs n token requests at once (get) and checks that every one
// succeeded with the same token; it returns that token.
func race(t *testing.T, n int, get func() (string, error)) string {
	t.Helper()
	toks := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { toks[i], errs[i] = get() })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		if toks[i] != toks[0] {
			t.Errorf("request %d got %q, request 0 %q", i, toks[i], toks[0])
		}
	}
	return toks[0]
}

// inProcess gets a token from a copy of s (its own Source on the one file).
func inProcess(s *Source) func() (string, error) {
	return func() (string, error) {
		c := *s
		return c.Token(context.Background())
	}
}

// inHelper gets a token in another process (TestMain) for s, whose
// Settings must be custom with only a client id and token URL.
func inHelper(s *Source, k key) func() (string, error) {
	return func() (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "MAPICTL_OAUTH_TEST_HELPER=1", "H_KEY="+k.id.String(), "H_CLIENT="+s.Settings.ClientID,
			"H_TOKEN_URL="+s.Settings.TokenURL, "H_PATH="+s.Path, "H_BINDING="+s.Binding)
		out, err := cmd.CombinedOutput()
		line := strings.TrimSpace(string(out))
		if err != nil || !strings.HasPrefix(line, "TOKEN ") {
			return "", fmt.Errorf("helper process: %v: %s", err, line)
		}
		return strings.TrimPrefix(line, "TOKEN "), nil
	}
}

// concurrent runs n token requests at once on the file of s, expired, and
// checks the rotation rules: every one gets the one new token, the
// provider saw one refresh and no reuse, the file holds the newest
// refresh token.
func concurrent(t *testing.T, f *fake, s *Source, n int, get func() (string, error)) {
	t.Helper()
	at, rt := f.grant()
	save(t, s, at, rt, time.Now().Add(-time.Minute))
	f.with(func() { f.delay = 300 * time.Millisecond }) // all of them wait on the lock while one refreshes
	tok := race(t, n, get)
	if tok == at {
		t.Errorf("the expired token was handed out")
	}
	refreshes, reuses, _ := f.counts()
	if refreshes != 1 || reuses != 0 {
		t.Errorf("%d refreshes and %d reuses of a refresh token; want 1 and 0", refreshes, reuses)
	}
	r := stored(t, s)
	if r.AccessToken != tok || !f.isLive(r.RefreshToken) || r.RefreshToken == rt {
		t.Errorf("the file does not hold the newest tokens")
	}
}

func TestConcurrentGoroutines(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := source(t, f, newKey(t))
	concurrent(t, f, s, 6, inProcess(s))
}

func TestConcurrentProcesses(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	k := newKey(t)
	s := source(t, f, k)
	s.Settings = Settings{Provider: "custom", ClientID: f.clientID, TokenURL: f.srv.URL + "/token"}
	s.Binding = Binding(s.Settings, servers...)
	concurrent(t, f, s, 3, inHelper(s, k))
}
