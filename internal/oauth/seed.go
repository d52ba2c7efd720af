package oauth

// A seed (the secure range's tokens) starts the token file when the file
// was never started from it (its digest is not in the file's seeds, or
// there is no file). It never writes before it worked: a seed with a
// refresh token is a refresh ([Source.renew]), written only when the
// provider answered; a seed with an access token only is used from memory
// while it is valid, and never written.

// seedRefresh reports whether the Seed has a refresh token and r (nil: no
// file) was never started from it: then it is presented to the provider.
func (s *Source) seedRefresh(r *record) bool {
	return s.Seed.RefreshToken != "" && (r == nil || !r.hasSeed(s.Seed.Digest()))
}

// seedAccess is the Seed's access token as a record (never written) when
// the Seed has no refresh token and r (nil: no file) was never started
// from it (a sign-in records the seed it saw, [Save]); else nil.
func (s *Source) seedAccess(r *record) *record {
	if s.Seed.RefreshToken != "" || s.Seed.AccessToken == "" || r != nil && r.hasSeed(s.Seed.Digest()) {
		return nil
	}
	m := &record{AccessToken: s.Seed.AccessToken, TokenType: "Bearer", Binding: s.Binding}
	m.setExpiry(s.Seed.Expiry)
	return m
}
