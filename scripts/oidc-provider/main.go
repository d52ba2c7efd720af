// Command oidc-provider runs internal/oauthtest's OpenID provider (zitadel's
// op, on loopback) for shell scripts and e2e tests, until SIGINT or SIGTERM.
//
//	oidc-provider [-addr 127.0.0.1:0] [-lifetime 1h] [-client-secret S]
//
// Once it listens it prints KEY=value lines to stdout (then closes its
// stdout: `eval "$(oidc-provider ... | head -n 20)"` or read until EOF):
// OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET (empty: public client),
// OIDC_USER, OIDC_PASSWORD, OIDC_EMAIL, OIDC_AUTH_URL, OIDC_TOKEN_URL,
// OIDC_DEVICE_URL, OIDC_USERINFO_URL, OIDC_INTROSPECTION_URL,
// OIDC_RESOURCE_CLIENT_ID and OIDC_RESOURCE_CLIENT_SECRET (the introspection
// caller, e.g. Dovecot's oauth2 passdb), OIDC_CONTROL_URL.
//
// Test control, at OIDC_CONTROL_URL (curl -fsS -X POST ...):
//
//	/approve?user_code=CODE   the user approves a device code
//	/deny?user_code=CODE      the user denies it
//	/revoke                   the user revokes every grant
//	/down?on=1|0              the token endpoint answers 503, or works
//	/junk?kind=html|garbage|close|   the token endpoint answers junk, or works
//	/counts (GET)             "refresh=N reuse=N"
//
// The op's request log (log/slog) goes to stderr.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mapictl/mapictl/internal/oauthtest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback)")
	lifetime := flag.Duration("lifetime", time.Hour, "access token lifetime")
	secret := flag.String("client-secret", "", "make the client confidential with this secret")
	flag.Parse()

	opts := []oauthtest.Option{oauthtest.AccessTokenLifetime(*lifetime), oauthtest.ControlEndpoints()}
	if *secret != "" {
		opts = append(opts, oauthtest.ClientSecret(*secret))
	}
	p, stop, err := oauthtest.Start(*addr, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "oidc-provider:", err)
		os.Exit(1)
	}
	for _, kv := range [][2]string{
		{"OIDC_ISSUER", p.Issuer}, {"OIDC_CLIENT_ID", p.ClientID}, {"OIDC_CLIENT_SECRET", *secret},
		{"OIDC_USER", p.User}, {"OIDC_PASSWORD", p.Password}, {"OIDC_EMAIL", p.Email},
		{"OIDC_AUTH_URL", p.AuthURL()}, {"OIDC_TOKEN_URL", p.TokenURL()}, {"OIDC_DEVICE_URL", p.DeviceURL()},
		{"OIDC_USERINFO_URL", p.UserinfoURL()}, {"OIDC_INTROSPECTION_URL", p.IntrospectionURL()},
		{"OIDC_RESOURCE_CLIENT_ID", oauthtest.ResourceClientID},
		{"OIDC_RESOURCE_CLIENT_SECRET", oauthtest.ResourceClientSecret},
		{"OIDC_CONTROL_URL", p.Issuer + "/test"},
	} {
		fmt.Printf("%s=%s\n", kv[0], kv[1])
	}
	os.Stdout.Close()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	_ = stop()
}
