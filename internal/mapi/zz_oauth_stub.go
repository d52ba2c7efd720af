package mapi

// TEMPORARY (wip/wiring): the oauth2.* property tags until the properties
// branch lands on main; deleted then.
const (
	PrOAuth2Provider     Tag = 0x6620001F
	PrOAuth2ClientID     Tag = 0x6621001F
	PrOAuth2Tenant       Tag = 0x6622001F
	PrOAuth2Issuer       Tag = 0x6623001F
	PrOAuth2AuthURL      Tag = 0x6624001F
	PrOAuth2TokenURL     Tag = 0x6625001F
	PrOAuth2DeviceURL    Tag = 0x6626001F
	PrOAuth2Scopes       Tag = 0x6627101F
	PrOAuth2RefreshToken Tag = 0x67F5001F
	PrOAuth2ClientSecret Tag = 0x67F6001F
	PrOAuth2Expiry       Tag = 0x67F70040
)
