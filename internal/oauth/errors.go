package oauth

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// netCause is err without the *url.Error wrapping that names the request's
// URL (whose query is nobody's business in an error): "dial tcp …:
// connection refused", "context deadline exceeded", an EOF.
func netCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return errors.New("timed out")
		}
		return ue.Err
	}
	return err
}

// redact makes text from the provider fit for an error: every secret in it
// replaced, control characters escaped, at most 200 bytes.
func redact(s string, secrets []string) string {
	for _, x := range secrets {
		if len(x) >= 4 {
			s = strings.ReplaceAll(s, x, "[redacted]")
		}
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return textsafe.Escape(s)
}

// failure is what classify needs to word an error.
type failure struct {
	what    string   // "cannot refresh the OAuth 2.0 token of section S"
	again   string   // hint for a refused grant: sign in again
	secrets []string // to redact from anything the provider said
}

// classify turns an error of x/oauth2 or net/http into a *mapi.Error (see
// the package doc): the provider's refusal of the grant or client 77, the
// provider down, slow, 5xx or answering junk 75, ctx cancelled 130. Its
// text holds the provider's error code and description (redacted), never
// the response body, a URL's query or a secret.
func (f failure) classify(ctx context.Context, err error) *mapi.Error {
	var me *mapi.Error
	if errors.As(err, &me) {
		return me
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return mapi.Errorf(mapi.UserCancel, "%s: interrupted", f.what)
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		var ue *url.Error
		if errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded) {
			return mapi.Errorf(mapi.NetworkError, "%s: the provider cannot be reached: %v", f.what, netCause(err)).WithExit(75)
		}
		// x/oauth2: "cannot parse json", "server response missing access_token".
		return mapi.Errorf(mapi.NetworkError, "%s: the provider's answer is not an OAuth 2.0 token response", f.what).WithExit(75)
	}
	status := 0
	ct := ""
	if re.Response != nil {
		status = re.Response.StatusCode
		ct, _, _ = mime.ParseMediaType(re.Response.Header.Get("Content-Type"))
	}
	if re.ErrorCode == "" {
		return mapi.Errorf(mapi.NetworkError, "%s: the provider answered HTTP %d without an OAuth 2.0 error (%s)", f.what, status, textsafe.Escape(ct)).WithExit(75)
	}
	said := redact(re.ErrorCode, f.secrets)
	if d := redact(re.ErrorDescription, f.secrets); d != "" {
		said += ": " + d
	}
	switch {
	case re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client":
		return mapi.Errorf(mapi.LogonFailed, "%s: the provider refused the client (%s)", f.what, said).
			WithHint("check oauth2.client-id and the client secret (oauth2.client-secret) registered with the provider")
	case re.ErrorCode == "server_error" || re.ErrorCode == "temporarily_unavailable" || status >= 500:
		return mapi.Errorf(mapi.NetworkError, "%s: the provider failed (HTTP %d, %s)", f.what, status, said).WithExit(75)
	case re.ErrorCode == "invalid_grant":
		e := mapi.Errorf(mapi.LogonFailed, "%s: the provider refused the grant (%s)", f.what, said)
		if f.again != "" {
			e.WithHint(f.again)
		}
		return e
	}
	e := mapi.Errorf(mapi.LogonFailed, "%s: the provider refused (%s)", f.what, said)
	if f.again != "" {
		e.WithHint(f.again)
	}
	return e
}

// signInHint is the hint of a refused refresh token.
func signInHint(section string) string {
	return fmt.Sprintf("run `mapictl credential oauth2 %s` to sign in again", section)
}

// ended is the error of a logon dialog (what) whose ctx ended while it
// waited: 130 when ctx was cancelled (Ctrl-C), 77 when its deadline passed
// (nobody completed the sign-in in time).
func ended(ctx context.Context, what, while string) *mapi.Error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return mapi.Errorf(mapi.LogonFailed, "%s: the sign-in was not completed in time (while %s)", what, while).
			WithHint("run the command again and complete the sign-in within the time allowed")
	}
	return mapi.Errorf(mapi.UserCancel, "%s: cancelled while %s", what, while)
}
