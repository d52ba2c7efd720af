package oauthtest

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// store is zitadel's example storage (auth requests, codes, signing keys,
// users, device codes) with the token methods overridden: the example
// hard-codes 5-minute access tokens and has no grant families, so it can
// neither honour AccessTokenLifetime nor revoke a grant on refresh-token
// reuse. Clients are ours (client.go).
type store struct {
	*storage.Storage

	lifetime time.Duration // access tokens
	keepUsed bool          // KeepUsedRefreshTokens
	interval time.Duration // device flow polling
	user     *storage.User
	clients  map[string]*client

	mu       sync.Mutex
	access   map[string]*accessToken  // by token ID (the opaque token encrypts it)
	refresh  map[string]*refreshToken // by token, the current ones only
	retired  map[string]string        // rotated-out refresh token -> grant ID
	dead     map[string]bool          // refresh tokens current when their grant was revoked
	revoked  map[string]bool          // grant ID -> revoked
	lastPoll map[string]time.Time     // device code -> last token request
	refreshN int
	reuseN   int
}

var (
	_ op.Storage                    = (*store)(nil)
	_ op.DeviceAuthorizationStorage = (*store)(nil)
)

type accessToken struct {
	clientID, subject, grant string
	audience, scopes         []string
	expires                  time.Time
}

type refreshToken struct {
	clientID, subject, grant string
	audience, scopes, amr    []string
	authTime                 time.Time
}

// users is the example storage's UserStore interface over our one user.
type users struct{ u *storage.User }

func (s users) GetUserByID(id string) *storage.User {
	if id == s.u.ID {
		return s.u
	}
	return nil
}

func (s users) GetUserByUsername(name string) *storage.User {
	if name == s.u.Username {
		return s.u
	}
	return nil
}

func (users) ExampleClientID() string { return storage.ServiceUserID }

func newStore(c *config) *store {
	u := &storage.User{ID: "u-" + User, Username: User, Password: Password, FirstName: "Dana",
		LastName: "Test", Email: Email, EmailVerified: true}
	clients := map[string]*client{ClientID: mapictlClient(c.secret), ResourceClientID: resourceClient()}
	// The example storage checks that a device flow's client exists in its
	// own table; everything else about clients is answered here.
	exampleClients := map[string]*storage.Client{ClientID: storage.NativeClient(ClientID)}
	return &store{
		Storage:  storage.NewStorageWithClients(users{u}, exampleClients),
		lifetime: c.lifetime,
		keepUsed: c.keepUsed,
		interval: c.interval,
		user:     u,
		clients:  clients,
		access:   map[string]*accessToken{},
		refresh:  map[string]*refreshToken{},
		retired:  map[string]string{},
		dead:     map[string]bool{},
		revoked:  map[string]bool{},
		lastPoll: map[string]time.Time{},
	}
}

func newID() string { return rand.Text() }

// GetClientByClientID answers from our clients.
func (s *store) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if c, ok := s.clients[id]; ok {
		return c, nil
	}
	return nil, errors.New("client not found")
}

// AuthorizeClientIDSecret checks a confidential client's secret.
func (s *store) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	c, ok := s.clients[id]
	if !ok || c.secret == "" || subtle.ConstantTimeCompare([]byte(c.secret), []byte(secret)) != 1 {
		return errors.New("invalid client or secret")
	}
	return nil
}

// GetDeviceAuthorizatonState is the example's, with the polling pace
// checked: a poll sooner than 3/4 of the interval after the previous one
// is answered slow_down (the op maps context.DeadlineExceeded to it).
func (s *store) GetDeviceAuthorizatonState(ctx context.Context, clientID, deviceCode string) (*op.DeviceAuthorizationState, error) {
	s.mu.Lock()
	now := time.Now()
	last, polled := s.lastPoll[deviceCode]
	s.lastPoll[deviceCode] = now
	s.mu.Unlock()
	if polled && now.Sub(last) < s.interval*3/4 {
		return nil, fmt.Errorf("polled %v after the previous poll: %w", now.Sub(last).Round(time.Millisecond), context.DeadlineExceeded)
	}
	return s.Storage.GetDeviceAuthorizatonState(ctx, clientID, deviceCode)
}

// clientOf returns the client a token request is for.
func clientOf(r op.TokenRequest) string {
	if c, ok := r.(interface{ GetClientID() string }); ok {
		return c.GetClientID()
	}
	return ""
}

// newAccess records an access token of grant; s.mu is held. Its expiry is
// half a second past the lifetime so that the op's expires_in (whole
// seconds, rounded down) says the lifetime itself.
func (s *store) newAccess(r op.TokenRequest, grant string) (string, time.Time) {
	id := newID()
	exp := time.Now().Add(s.lifetime + 500*time.Millisecond)
	s.access[id] = &accessToken{clientID: clientOf(r), subject: r.GetSubject(), grant: grant,
		audience: r.GetAudience(), scopes: r.GetScopes(), expires: exp}
	return id, exp
}

// CreateAccessToken issues an access token without a refresh token (no
// offline_access): a grant of its own, so RevokeAll reaches it.
func (s *store) CreateAccessToken(_ context.Context, r op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, exp := s.newAccess(r, newID())
	return id, exp, nil
}

// CreateAccessAndRefreshTokens issues a new grant's tokens (current == "")
// or rotates current: the new refresh token replaces it, it is retired
// (unless KeepUsedRefreshTokens: then both stay valid), and the access
// tokens it produced stay valid until they expire. A
// retired or revoked current is reuse or a dead grant: invalid_grant.
func (s *store) CreateAccessAndRefreshTokens(_ context.Context, r op.TokenRequest, current string) (string, string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := &refreshToken{clientID: clientOf(r), subject: r.GetSubject(),
		audience: r.GetAudience(), scopes: r.GetScopes(), authTime: time.Now()}
	if a, ok := r.(interface {
		GetAMR() []string
		GetAuthTime() time.Time
	}); ok {
		rt.amr, rt.authTime = a.GetAMR(), a.GetAuthTime()
	}
	if current == "" {
		rt.grant = newID()
	} else {
		old, err := s.presentedLocked(current)
		if err != nil {
			return "", "", time.Time{}, err
		}
		rt.grant = old.grant
		if !s.keepUsed {
			delete(s.refresh, current)
			s.retired[current] = old.grant
		}
		s.refreshN++
	}
	token := newID()
	s.refresh[token] = rt
	id, exp := s.newAccess(r, rt.grant)
	return id, token, exp, nil
}

// presentedLocked looks a presented refresh token up; s.mu is held. A
// retired one counts as reuse and revokes its grant; one that was current
// when its grant was revoked is merely invalid.
func (s *store) presentedLocked(token string) (*refreshToken, error) {
	if grant, ok := s.retired[token]; ok {
		s.reuseN++
		s.revokeGrantLocked(grant)
		return nil, oidc.ErrInvalidGrant().WithDescription("refresh token reused; the grant is revoked")
	}
	rt, ok := s.refresh[token]
	if !ok || s.revoked[rt.grant] {
		return nil, oidc.ErrInvalidGrant().WithDescription("refresh token invalid or revoked")
	}
	return rt, nil
}

func (s *store) revokeGrantLocked(grant string) {
	s.revoked[grant] = true
	for t, rt := range s.refresh {
		if rt.grant == grant {
			delete(s.refresh, t)
			s.dead[t] = true
		}
	}
}

// TokenRequestByRefreshToken is the first look at a presented refresh
// token (the op then calls CreateAccessAndRefreshTokens with it).
func (s *store) TokenRequestByRefreshToken(_ context.Context, token string) (op.RefreshTokenRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, err := s.presentedLocked(token)
	if err != nil {
		return nil, err
	}
	return storage.RefreshTokenRequestFromBusiness(&storage.RefreshToken{
		ID: token, Token: token, AuthTime: rt.authTime, AMR: rt.amr, Audience: rt.audience,
		UserID: rt.subject, ApplicationID: rt.clientID, Scopes: slices.Clone(rt.scopes),
	}), nil
}

// revokeAll revokes every grant issued so far.
func (s *store) revokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.access {
		s.revokeGrantLocked(a.grant)
	}
	for _, rt := range s.refresh {
		s.revokeGrantLocked(rt.grant)
	}
}

func (s *store) counts() (refresh, reuse int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshN, s.reuseN
}

// TerminateSession (end_session) revokes the user's grants of the client.
func (s *store) TerminateSession(_ context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.access {
		if a.subject == userID && a.clientID == clientID {
			s.revokeGrantLocked(a.grant)
		}
	}
	return nil
}

// GetRefreshTokenInfo serves the revocation endpoint.
func (s *store) GetRefreshTokenInfo(_ context.Context, clientID, token string) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refresh[token]
	if !ok || rt.clientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return rt.subject, token, nil
}

// RevokeToken (RFC 7009): a refresh token revokes its grant, an access
// token itself.
func (s *store) RevokeToken(_ context.Context, tokenOrID, _, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rt, ok := s.refresh[tokenOrID]; ok {
		if rt.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued for this client")
		}
		s.revokeGrantLocked(rt.grant)
		return nil
	}
	if a, ok := s.access[tokenOrID]; ok {
		if a.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued for this client")
		}
		delete(s.access, tokenOrID)
	}
	return nil
}

// liveAccess returns a valid access token by ID.
func (s *store) liveAccess(id, subject string) (*accessToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.access[id]
	switch {
	case !ok || a.subject != subject:
		return nil, errors.New("token invalid")
	case s.revoked[a.grant]:
		return nil, errors.New("token revoked")
	case time.Now().After(a.expires):
		return nil, errors.New("token expired")
	}
	return a, nil
}

// setUser fills the user's claims; the email always (a mail server checks
// it), the rest as the scopes ask.
func (s *store) setUser(info *oidc.UserInfo, scopes []string) {
	info.Subject = s.user.ID
	info.Email = s.user.Email
	info.EmailVerified = oidc.Bool(s.user.EmailVerified)
	if slices.Contains(scopes, oidc.ScopeProfile) {
		info.PreferredUsername = s.user.Username
		info.Name = s.user.FirstName + " " + s.user.LastName
		info.GivenName, info.FamilyName = s.user.FirstName, s.user.LastName
	}
}

// SetUserinfoFromToken serves the userinfo endpoint.
func (s *store) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	a, err := s.liveAccess(tokenID, subject)
	if err != nil {
		return err
	}
	s.setUser(info, a.scopes)
	return nil
}

// SetIntrospectionFromToken serves the introspection endpoint to the
// resource client, and to the token's own client.
func (s *store) SetIntrospectionFromToken(_ context.Context, r *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	a, err := s.liveAccess(tokenID, subject)
	if err != nil {
		return err
	}
	if clientID != ResourceClientID && clientID != a.clientID {
		return errors.New("client may not introspect this token")
	}
	info := new(oidc.UserInfo)
	s.setUser(info, a.scopes)
	r.SetUserInfo(info)
	r.Username = s.user.Username
	r.Scope = a.scopes
	r.ClientID = a.clientID
	r.Audience = a.audience
	r.Expiration = oidc.FromTime(a.expires)
	r.TokenType = oidc.BearerToken
	return nil
}
