package tlsconf

import "testing"

func TestCheckHTTPS(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://login.microsoftonline.com/common/oauth2/v2.0/token": true,
		"https://example.com":                true,
		"http://127.0.0.1:8080/token":        true,
		"http://127.7.0.1/token":             true,
		"http://[::1]:9/token":               true,
		"http://localhost:9/token":           false, // RFC 8252 §8.3: literal IPs only
		"http://LOCALHOST/token":             false,
		"http://localhost./token":            false,
		"http://[::ffff:127.0.0.1]/token":    true,
		"http://example.com/token":           false,
		"http://127.0.0.1.example.com/token": false,
		"http://10.0.0.1/token":              false,
		"ftp://127.0.0.1/token":              false,
		"/token":                             false,
		"https://user:pw@example.com/token":  false,
		"":                                   false,
		"https:///nohost":                    false,
	} {
		if err := CheckHTTPS(raw); (err == nil) != ok {
			t.Errorf("CheckHTTPS(%q) = %v, want ok=%v", raw, err, ok)
		}
	}
}
