package tlsconf

import (
	"fmt"
	"net"
	"net/url"
)

// CheckHTTPS reports whether raw is a URL that may receive a secret over
// HTTP: an absolute https URL, or http only to a literal loopback IP
// address (127.0.0.0/8, [::1]). A host name, localhost included, is not
// accepted over http: RFC 8252 §8.3 advises literal IPs, since the name
// may resolve elsewhere (a hosts file, a resolver, a proxy). OAuth 2.0
// endpoints (SPEC §5, §8) pass through it: the token URL receives the
// refresh token. The error names what is wrong, never the URL's user info
// or query.
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
	return fmt.Errorf("http is only accepted to a loopback IP address (127.0.0.1, [::1]); use https://%s", u.Host)
}

// IsLoopback reports whether host (without port) is a literal IP address
// of the local machine: 127.0.0.0/8 or ::1. Names, localhost included,
// are not: what they resolve to is not known here.
func IsLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
