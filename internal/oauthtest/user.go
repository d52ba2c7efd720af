package oauthtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// The user's pages: the login of the authorization code flow and the
// device flow's "enter the code" page. Small forms; the methods below
// drive them over HTTP as the user's browser would.

var pages = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html><body><h1>Sign in</h1>{{if .Error}}<p>{{.Error}}</p>{{end}}
<form method="post" action="/login"><input type="hidden" name="id" value="{{.ID}}">
<input name="username"> <input type="password" name="password"> <button>Sign in</button></form>
</body></html>
{{define "device"}}<!DOCTYPE html>
<html><body><h1>Connect a device</h1>{{if .Error}}<p>{{.Error}}</p>{{end}}
<form method="post" action="/device"><input name="user_code" value="{{.Code}}">
<input name="username"> <input type="password" name="password">
<button name="action" value="allow">Allow</button> <button name="action" value="deny">Deny</button></form>
</body></html>{{end}}`))

func (p *Provider) loginPage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		_ = pages.Execute(w, map[string]string{"ID": r.FormValue("authRequestID")})
		return
	}
	id := r.PostFormValue("id")
	if err := p.store.CheckUsernamePassword(r.PostFormValue("username"), r.PostFormValue("password"), id); err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		_ = pages.Execute(w, map[string]string{"ID": id, "Error": err.Error()})
		return
	}
	http.Redirect(w, r, op.AuthCallbackURL(p.op)(r.Context(), id), http.StatusFound)
}

func (p *Provider) devicePage(w http.ResponseWriter, r *http.Request) {
	code := r.FormValue("user_code")
	if r.Method != http.MethodPost {
		_ = pages.ExecuteTemplate(w, "device", map[string]string{"Code": code})
		return
	}
	if err := p.decide(r, code, r.PostFormValue("action")); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_ = pages.ExecuteTemplate(w, "device", map[string]string{"Code": code, "Error": err.Error()})
		return
	}
	fmt.Fprintln(w, "Done. You can return to your device.")
}

// decide lets the logged-in user allow or deny a pending user code.
func (p *Provider) decide(r *http.Request, code, action string) error {
	if err := p.store.CheckUsernamePasswordSimple(r.PostFormValue("username"), r.PostFormValue("password")); err != nil {
		return err
	}
	st, err := p.store.GetDeviceAuthorizationByUserCode(r.Context(), code)
	switch {
	case err != nil:
		return errors.New("unknown code")
	case st.Done || st.Denied:
		return errors.New("code already used")
	case time.Now().After(st.Expires):
		return errors.New("code expired")
	}
	switch action {
	case "allow":
		return p.store.CompleteDeviceAuthorization(r.Context(), code, p.store.user.ID)
	case "deny":
		return p.store.DenyDeviceAuthorization(r.Context(), code)
	}
	return errors.New("action must be allow or deny")
}

// ApproveDevice has the user enter userCode on the device page, log in and
// allow it.
func (p *Provider) ApproveDevice(userCode string) error { return p.device(userCode, "allow") }

// DenyDevice has the user enter userCode, log in and deny it.
func (p *Provider) DenyDevice(userCode string) error { return p.device(userCode, "deny") }

func (p *Provider) device(code, action string) error {
	resp, err := p.web.PostForm(p.Issuer+devicePath, url.Values{"user_code": {code},
		"username": {p.User}, "password": {p.Password}, "action": {action}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("device page: %s", resp.Status)
	}
	return nil
}

// Login follows authURL (the client's authorization request) as the user's
// browser: the op sends it to the login page, the user logs in, the op
// redirects to the client. It returns that redirect (code and state, or
// error) without requesting it. An authorization request the op refuses
// without redirecting is an error.
func (p *Provider) Login(authURL string) (string, error) {
	issuer, _ := url.Parse(p.Issuer)
	next, form := authURL, url.Values(nil)
	for range 10 {
		var resp *http.Response
		var err error
		if form != nil {
			resp, err = p.web.PostForm(next, form)
			form = nil
		} else {
			resp, err = p.web.Get(next)
		}
		if err != nil {
			return "", err
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		u := resp.Request.URL
		switch {
		case resp.StatusCode/100 == 3:
			loc, err := u.Parse(resp.Header.Get("Location"))
			if err != nil {
				return "", err
			}
			if loc.Host != issuer.Host || loc.Scheme != issuer.Scheme {
				return loc.String(), nil
			}
			next = loc.String()
		case resp.StatusCode == http.StatusOK && u.Path == loginPath && u.Query().Get("authRequestID") != "":
			next = p.Issuer + loginPath
			form = url.Values{"id": {u.Query().Get("authRequestID")}, "username": {p.User}, "password": {p.Password}}
		default:
			return "", fmt.Errorf("authorization at %s: %s: %s", u.Path, resp.Status, strings.TrimSpace(string(body)))
		}
	}
	return "", errors.New("authorization: too many redirects")
}

// Validate checks an access token as a mail server would, at the userinfo
// endpoint over HTTP, and returns the user's email if it is valid.
func (p *Provider) Validate(accessToken string) (email string, ok bool) {
	req, err := http.NewRequest(http.MethodGet, p.UserinfoURL(), nil)
	if err != nil {
		return "", false
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := p.web.Do(req)
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	var info struct {
		Email string `json:"email"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&info) != nil || info.Email == "" {
		return "", false
	}
	return info.Email, true
}
