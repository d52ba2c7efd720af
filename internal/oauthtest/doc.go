// Package oauthtest runs a real OpenID provider on loopback for tests: the
// certified op package of github.com/zitadel/oidc/v3 with its example
// storage (embedded, a few methods overridden), never a fake of our own
// making. Only tests and scripts/oidc-provider use it; mapictl never does.
//
// What it serves, at Issuer (http://127.0.0.1:PORT):
//
//   - discovery at /.well-known/openid-configuration, the authorization,
//     token, device authorization, userinfo, introspection, revocation and
//     keys endpoints of the op;
//   - one client, ClientID "mapictl": grants device_code, authorization_code
//     (PKCE S256; required while the client is public) and refresh_token;
//     redirect URIs http://127.0.0.1:ANYPORT/ANYPATH (RFC 8252 §7.3). It is
//     public (no secret) unless ClientSecret makes it confidential
//     (client_secret_basic or client_secret_post; the op takes the device
//     grant's secret from the Basic header only);
//   - one user, User/Password, whose Email the userinfo and introspection
//     answers carry whatever the scopes (a mail server checks it);
//   - a resource-server client for introspection (RFC 7662), as Dovecot's
//     oauth2 passdb uses: client id ResourceClientID ("dovecot"), secret
//     ResourceClientSecret ("dovecot-secret"), client_secret_basic or _post.
//     Userinfo with "Authorization: Bearer TOKEN" works as well.
//   - /login (the user's login page of the authorization code flow) and
//     /device (the page where the user enters a device flow's user code,
//     logs in and allows or denies).
//
// Behaviour a client under test meets:
//
//   - access tokens are opaque, live AccessTokenLifetime (default 1h; the
//     token answer's expires_in says so, the token stops working half a
//     second after that) and are enforced by userinfo and introspection;
//   - refresh tokens rotate: each refresh returns a new one, and the one
//     presented stops working. Presenting a rotated-out refresh token again
//     is reuse (ReuseCount) and revokes the whole grant (RFC 9700 §4.14.2):
//     every later refresh of that grant fails with invalid_grant and its
//     access tokens stop working;
//   - the device flow's interval is DevicePollInterval (default 1 s); a poll
//     sooner than three quarters of it after the previous poll of the same
//     device code gets slow_down (zitadel's op does not check the pace
//     itself: the storage here tells it to);
//   - TokenDelay holds the answer to each refresh after serving it (the
//     refresh token already rotated); SetDown and SetJunk break the token
//     endpoint on demand; RevokeAll revokes every grant as a user would in
//     the provider's account page.
//
// With ControlEndpoints (scripts/oidc-provider) the provider also serves
// POST /test/approve?user_code=, /test/deny?user_code=, /test/revoke,
// /test/down?on=1|0, /test/junk?kind=html|garbage|close|, and GET
// /test/counts (refresh=N reuse=N), for shell scripts with curl.
package oauthtest
