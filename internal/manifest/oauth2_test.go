package manifest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/prf"
	"github.com/mapictl/mapictl/internal/profile"
)

// The CI story of issue 28: a section with the oauth2.* settings and a
// refresh token from a CI secret.
const oauthDoc = `profile: ci
sections:
  - name: m365
    props:
      email: ci@example.com
      smtp.host: smtp.office365.com
      smtp.auth: oauthbearer
      oauth2.provider: microsoft
      oauth2.client-id: 9e5f94bc-e8a4-4e73-b8be-63364c29d753
      oauth2.tenant: contoso.onmicrosoft.com
      oauth2.scopes: [https://outlook.office.com/SMTP.Send, offline_access]
    credentials:
      username: ci@example.com
      oauth2.refresh-token: {env: CI_REFRESH_TOKEN}
`

// apply writes the oauth2.* settings and the seed refresh token; a second
// apply with the same input writes nothing and says so; a rotated secret
// in CI updates only the token.
func TestApplyOAuth2Seed(t *testing.T) {
	id, r := newKey(t)
	ids := []age.Identity{id}
	p := profile.New("ci", []string{r})
	vars := map[string]string{"CI_REFRESH_TOKEN": "0.AQ-rt-s3cret"}
	plan := applyDoc(t, p, oauthDoc, vars, ids)
	got := actions(plan)
	for _, want := range []string{
		"create m365.oauth2.provider: microsoft",
		"create m365.oauth2.tenant: contoso.onmicrosoft.com",
		`create m365.oauth2.scopes: ["https://outlook.office.com/SMTP.Send","offline_access"]`,
		"create m365.smtp.auth: oauthbearer",
		"create m365.oauth2.refresh-token (secret)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("plan lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "rt-s3cret") {
		t.Fatal("the plan shows the refresh token")
	}
	s, _ := p.Section("m365")
	c, err := s.ReadSecure(ids)
	if err != nil || c.Props[mapi.PrOAuth2RefreshToken] != "0.AQ-rt-s3cret" {
		t.Fatalf("refresh token: %v, %v", c, err)
	}
	doc, _ := profile.Marshal(p)
	if bytes.Contains(doc, []byte("rt-s3cret")) {
		t.Fatal("the refresh token is in the profile's plaintext")
	}

	plan = applyDoc(t, p, oauthDoc, vars, ids)
	if plan.Changed() || !strings.Contains(actions(plan), "unchanged m365.oauth2.refresh-token (secret)") {
		t.Fatalf("second apply:\n%s", actions(plan))
	}
	again, _ := profile.Marshal(p)
	if !bytes.Equal(doc, again) {
		t.Fatal("second apply changed the document")
	}

	vars["CI_REFRESH_TOKEN"] = "0.AQ-rt-rotated"
	plan = applyDoc(t, p, oauthDoc, vars, ids)
	if got := actions(plan); !strings.Contains(got, "update m365.oauth2.refresh-token (secret)") || strings.Contains(got, "update m365.oauth2.provider") {
		t.Fatalf("rotated secret:\n%s", got)
	}
	if c, err := s.ReadSecure(ids); err != nil || c.Props[mapi.PrOAuth2RefreshToken] != "0.AQ-rt-rotated" || c.Props[mapi.PrUsername] != "ci@example.com" {
		t.Fatalf("after rotation: %v, %v", c, err)
	}

	// A changed token URL re-binds the range in the owner's apply (and
	// plan says what changed), the refresh token kept.
	custom := strings.Replace(oauthDoc, "oauth2.provider: microsoft", "oauth2.provider: custom\n      oauth2.token-url: https://idp.example.com/token", 1)
	plan = applyDoc(t, p, custom, vars, ids)
	if got := actions(plan); !strings.Contains(got, "create m365.oauth2.token-url: https://idp.example.com/token") {
		t.Fatalf("custom:\n%s", got)
	}
	if c, err := s.ReadSecure(ids); err != nil || c.Props[mapi.PrOAuth2RefreshToken] != "0.AQ-rt-rotated" {
		t.Fatalf("after the token URL changed: %v, %v", c, err)
	}
}

// The values a section refuses are refused in a manifest too (64): an http
// token URL, an unknown provider, an empty scope; a literal refresh token
// or client secret is refused without being repeated.
func TestApplyOAuth2Refusals(t *testing.T) {
	id, r := newKey(t)
	ids := []age.Identity{id}
	for _, tc := range []struct{ doc, want string }{
		{strings.Replace(oauthDoc, "oauth2.provider: microsoft", "oauth2.provider: custom\n      oauth2.token-url: http://idp.example.com/token", 1), "invalid oauth2.token-url"},
		{strings.Replace(oauthDoc, "oauth2.provider: microsoft", "oauth2.provider: github", 1), "invalid oauth2.provider"},
		{strings.Replace(oauthDoc, "offline_access]", `""]`, 1), "invalid scope"},
	} {
		p := profile.New("ci", []string{r})
		m := mustLoad(t, tc.doc, LoadOptions{})
		sec, err := (&Resolver{Dir: t.TempDir(), Getenv: env(map[string]string{"CI_REFRESH_TOKEN": "rt"})}).ResolveAll(m)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Apply(p, m, sec, ApplyOptions{IDs: ids})
		if !mapi.IsCode(err, mapi.InvalidParameter) || !strings.Contains(fmt.Sprint(err), tc.want) {
			t.Errorf("%s: %v", tc.want, err)
		}
	}
	for _, field := range []string{"oauth2.refresh-token", "oauth2.client-secret", "oauth2-token"} {
		doc := strings.Replace(oauthDoc, "oauth2.refresh-token: {env: CI_REFRESH_TOKEN}", field+": lit-s3cret", 1)
		_, err := Load(strings.NewReader(doc), LoadOptions{})
		if !mapi.IsCode(err, mapi.InvalidParameter) || !strings.Contains(fmt.Sprint(err), "refusing a literal secret for "+field) || strings.Contains(fmt.Sprint(err), "lit-s3cret") {
			t.Errorf("literal %s: %v", field, err)
		}
	}
}

// oauth2.expiry, a PT_SYSTIME secure value, is set by apply beside a seed
// access token from any secret source, parsed as RFC 3339 (a value that is
// not one is 64 and not repeated), idempotent; a new access token without
// one drops the old token's expiry; export --secure round-trips it.
func TestApplyOAuth2Expiry(t *testing.T) {
	id, r := newKey(t)
	ids := []age.Identity{id}
	p := profile.New("ci", []string{r})
	doc := oauthDoc + "      oauth2-token: {env: AT}\n      oauth2.expiry: {env: AT_EXPIRY}\n"
	vars := map[string]string{"CI_REFRESH_TOKEN": "rt", "AT": "at-1", "AT_EXPIRY": "2030-01-02T04:04:05+01:00"}
	plan := applyDoc(t, p, doc, vars, ids)
	if got := actions(plan); !strings.Contains(got, "create m365.oauth2.expiry (secret)") {
		t.Fatalf("plan:\n%s", got)
	}
	s, _ := p.Section("m365")
	want := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	c, err := s.ReadSecure(ids)
	if err != nil || !c.Props[mapi.PrOAuth2Expiry].(time.Time).Equal(want) {
		t.Fatalf("expiry: %v, %v", c.Props[mapi.PrOAuth2Expiry], err)
	}
	// the same instant in another zone is the same value: nothing to do
	vars["AT_EXPIRY"] = "2030-01-02T03:04:05Z"
	if plan := applyDoc(t, p, doc, vars, ids); plan.Changed() {
		t.Fatalf("same expiry:\n%s", actions(plan))
	}

	vars["AT_EXPIRY"] = "tomorrow-s3cret"
	m := mustLoad(t, doc, LoadOptions{})
	_, err = (&Resolver{Dir: t.TempDir(), Getenv: env(vars)}).ResolveAll(m)
	if !mapi.IsCode(err, mapi.InvalidParameter) || !strings.Contains(fmt.Sprint(err), "m365.oauth2.expiry") || strings.Contains(fmt.Sprint(err), "s3cret") {
		t.Errorf("bad expiry: %v", err)
	}

	// export --secure writes it as {value: RFC 3339}; applying that back
	// (--plaintext-secrets) changes nothing
	exp, err := Export(p, ExportOptions{IDs: ids, Secure: true})
	if err != nil {
		t.Fatal(err)
	}
	y, _ := exp.EncodeYAML()
	if !strings.Contains(string(y), "value: \"2030-01-02T03:04:05Z\"") && !strings.Contains(string(y), "value: 2030-01-02T03:04:05Z") {
		t.Fatalf("export lacks the expiry:\n%s", y)
	}
	m = mustLoad(t, string(y), LoadOptions{AllowValues: true})
	sec, err := (&Resolver{Dir: t.TempDir()}).ResolveAll(m)
	if err != nil {
		t.Fatal(err)
	}
	if plan, err := Apply(p, m, sec, ApplyOptions{IDs: ids}); err != nil || plan.Changed() {
		t.Fatalf("re-applying the export: %v\n%s", err, actions(plan))
	}

	// a new access token alone: the old expiry goes with the old token
	vars["AT"] = "at-2"
	plan = applyDoc(t, p, oauthDoc+"      oauth2-token: {env: AT}\n", vars, ids)
	if got := actions(plan); !strings.Contains(got, "update m365.oauth2-token (secret)") || !strings.Contains(got, "delete m365.oauth2.expiry (secret)") {
		t.Fatalf("new token:\n%s", got)
	}
	if c, err := s.ReadSecure(ids); err != nil || c.Props[mapi.PrOAuth2Expiry] != nil || c.Props[mapi.PrOAuth2Token] != "at-2" {
		t.Fatalf("after a new token: %v, %v", c.Props, err)
	}
}

// A dry run that does not run a command stands in for the expiry too.
func TestDryRunOAuth2ExpiryStandIn(t *testing.T) {
	doc := oauthDoc + "      oauth2.expiry: {command: [date, -u, +%Y-%m-%dT%H:%M:%SZ]}\n"
	m := mustLoad(t, doc, LoadOptions{})
	r := &Resolver{Dir: t.TempDir(), DryRun: true, Getenv: env(map[string]string{"CI_REFRESH_TOKEN": "rt"})}
	sec, err := r.ResolveAll(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sec["m365"][mapi.PrOAuth2Expiry].(time.Time); !ok {
		t.Fatalf("stand-in: %#v", sec["m365"][mapi.PrOAuth2Expiry])
	}
}

// profile import --prf leaves OAuth 2.0 to credential oauth2: an Outlook
// PRF has no OAuth setting, and nothing it maps becomes an oauth2.*
// setting or secret. In particular the Exchange service's own properties
// in the same IDs (RPCProxyServer 0x6622, AccountName 0x6620, RPC proxy
// principal 0x6625) stay that service's raw tags, never oauth2.tenant or
// oauth2.token-url, and accounts that authenticate keep smtp.auth auto.
func TestImportPRFInventsNoOAuth2(t *testing.T) {
	f, err := prf.ParseFile("../prf/testdata/full_utf8bom_crlf.prf", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	id, r := newKey(t)
	ids := []age.Identity{id}
	p := profile.New("corp", []string{r})
	if _, err := ImportPRF(p, f, ids); err != nil {
		t.Fatal(err)
	}
	isOAuth := func(tag mapi.Tag) bool {
		i := tag.ID()
		return i >= 0x6620 && i <= 0x662F || tag == mapi.PrOAuth2Token || tag == mapi.PrOAuth2RefreshToken ||
			tag == mapi.PrOAuth2ClientSecret || tag == mapi.PrOAuth2Expiry
	}
	transports, egs := 0, false
	for _, s := range p.Sections {
		var tags []mapi.Tag
		for tag := range s.Props {
			tags = append(tags, tag)
		}
		if s.Secure != nil {
			for _, ts := range s.Secure.Tags {
				tag, _ := mapi.ParseHexTag(ts)
				tags = append(tags, tag)
			}
		}
		for _, tag := range tags {
			if strings.HasPrefix(mapi.DisplayName(tag, s.Scope()), "oauth2") {
				t.Errorf("section %s: %s shows as %s", s.Name, tag, mapi.DisplayName(tag, s.Scope()))
			}
			if s.Kind == profile.KindTransport && isOAuth(tag) {
				t.Errorf("transport %s: an OAuth 2.0 property %s from a PRF", s.Name, tag)
			}
		}
		if s.Kind == profile.KindTransport {
			transports++
			if a := s.String(mapi.PrSMTPAuth); a != "auto" {
				t.Errorf("transport %s: smtp.auth %q, want auto", s.Name, a)
			}
		}
		if s.String(0x6622001F) == "mail.corp.example" {
			egs = s.Kind == profile.KindService
		}
	}
	if transports != 2 || !egs {
		t.Fatalf("%d transports, Exchange Global Section imported as a service: %v", transports, egs)
	}
}
