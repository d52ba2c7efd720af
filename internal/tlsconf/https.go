package tlsconf

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CheckHTTPS reports whether raw is a URL that may receive a secret over
// HTTP: an absolute https URL, or http only to a loopback host
// (127.0.0.0/8, ::1, localhost), as RFC 8252 §8.3 allows for a native
// app's own redirect. OAuth 2.0 endpoints (SPEC §5, §8) pass through it:
// the token URL receives the refresh token. The error names what is wrong,
// never the URL's user info or query.
func CheckHTTPS(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("not an absolute http(s) URL")
	}
	if u.User != nil {
		return fmt.Errorf("a URL with user info is not accepted")
	}
	if u.Scheme == "https" || IsLoopback(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("http is only accepted to a loopback host; use https://%s", u.Host)
}

// IsLoopback reports whether host (a name or an IP literal, without port)
// is the local machine by definition: localhost, 127.0.0.0/8 or ::1.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
