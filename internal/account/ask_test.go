package account

import (
	"errors"
	"reflect"
	"testing"
)

func TestAsk(t *testing.T) {
	var asked []string
	line := func(p string) (string, error) { asked = append(asked, p); return "dana", nil }
	secret := func(p string) ([]byte, error) { asked = append(asked, p); return []byte("pw"), nil }
	a := &Account{Name: "mx"}

	c, err := Ask(line, secret)(a, Credentials{})
	if err != nil || c.Username != "dana" || c.Password != "pw" ||
		!reflect.DeepEqual(asked, []string{"Username for mx: ", "Password for mx: "}) {
		t.Fatalf("%+v %v %q", c, err, asked)
	}
	asked = nil
	c, err = Ask(line, secret)(a, Credentials{Username: "stored"})
	if err != nil || c.Username != "stored" || !reflect.DeepEqual(asked, []string{"Password for mx: "}) {
		t.Fatalf("stored username: %+v %v %q", c, err, asked)
	}
	stop := errors.New("no terminal")
	if _, err := Ask(func(string) (string, error) { return "", stop }, secret)(a, Credentials{}); err != stop {
		t.Fatalf("line error: %v", err)
	}
	if c, err := Ask(line, func(string) ([]byte, error) { return nil, stop })(a, Credentials{}); err != stop || c.Username != "dana" {
		t.Fatalf("secret error: %+v %v", c, err)
	}
}
