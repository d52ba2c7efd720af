package account

import (
	"context"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/transport"
)

func TestLogon(t *testing.T) {
	refuse := &transport.Error{Kind: transport.KindAuth, Stage: "auth", SMTPCode: 535, Message: "no"}
	for _, tc := range []struct {
		name       string
		prompt     bool
		good       int // the attempt whose password verifies; 0 = none
		as         string
		noOverride bool
		want       mapi.Code
		prompts    int
	}{
		{name: "no prompt allowed", want: mapi.Unconfigured},
		{name: "first try", prompt: true, good: 1, want: mapi.OK, prompts: 1},
		{name: "third try", prompt: true, good: 3, want: mapi.OK, prompts: 3},
		{name: "three refusals", prompt: true, good: 4, want: mapi.LogonFailed, prompts: 3},
		{name: "as refused", prompt: true, good: 1, as: "eve@example.com", noOverride: true, want: mapi.NoAccess},
		{name: "as allowed", prompt: true, good: 1, as: "eve@example.com", want: mapi.OK, prompts: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := profile.New("work", nil)
			s, err := p.AddSection("smtp", profile.KindTransport, "smtp")
			if err != nil {
				t.Fatal(err)
			}
			s.Props[mapi.PrEmailAddress] = "ci@example.com"
			if tc.noOverride {
				s.Props[mapi.PrAddressOverride] = false
			}
			prompts := 0
			o := LogonOptions{Profile: p, As: tc.as,
				Verify: func(_ context.Context, _ *Account, c Credentials) error {
					if c.Password == "pw" {
						return nil
					}
					return refuse
				}}
			if tc.prompt {
				o.Prompt = func(r PromptRequest) (Credentials, error) {
					prompts++
					if r.Attempt != prompts || (r.Attempt > 1) != (r.Previous != nil) {
						t.Fatalf("prompt request %+v", r)
					}
					if prompts == tc.good {
						return Credentials{Username: "u", Password: "pw"}, nil
					}
					return Credentials{Username: "u", Password: "bad"}, nil
				}
			}
			res, err := Logon(context.Background(), o)
			if tc.want == mapi.OK {
				if err != nil {
					t.Fatal(err)
				}
				if got := res.Prompted["smtp"].Password; got != "pw" {
					t.Fatalf("prompted %q", got)
				}
				want := "ci@example.com"
				if tc.as != "" {
					want = tc.as
				}
				if res.Sections[0].Address != want {
					t.Fatalf("address %q, want %q", res.Sections[0].Address, want)
				}
			} else if !mapi.IsCode(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want.Name)
			}
			if prompts != tc.prompts {
				t.Fatalf("%d prompts, want %d", prompts, tc.prompts)
			}
		})
	}
}
