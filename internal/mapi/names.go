package mapi

import (
	"sort"
	"strings"
)

// Property tags mapictl uses by name.
const (
	PrDisplayName      Tag = 0x3001001F
	PrAddrType         Tag = 0x3002001F
	PrEmailAddress     Tag = 0x3003001F
	PrProviderDisplay  Tag = 0x3006001F
	PrResourceFlags    Tag = 0x30090003
	PrSearchKey        Tag = 0x300B0102
	PrProviderUID      Tag = 0x300C0102
	PrProviderOrdinal  Tag = 0x300D0003
	PrServiceName      Tag = 0x3D09001F
	PrServiceUID       Tag = 0x3D0C0102
	PrProfileName      Tag = 0x3D12001F
	PrResourceType     Tag = 0x3E030003
	PrTransport        Tag = 0x6600001F
	PrSMTPHost         Tag = 0x6601001F
	PrSMTPPort         Tag = 0x66020003
	PrSMTPSecurity     Tag = 0x6603001F
	PrSMTPAuth         Tag = 0x6604001F
	PrSMTPHelo         Tag = 0x6605001F
	PrSMTPCAFile       Tag = 0x6606001F
	PrSMTPFingerprint  Tag = 0x6607001F
	PrSMTPInsecure     Tag = 0x6608000B
	PrSMTPInsecureAuth Tag = 0x6609000B
	PrMaildirPath      Tag = 0x660A001F
	PrSendmailPath     Tag = 0x660B001F
	PrTimeout          Tag = 0x660C0003
	PrMultiSession     Tag = 0x660D000B
	PrAddressOverride  Tag = 0x660E000B
	PrUsername         Tag = 0x67F0001F
	PrPassword         Tag = 0x67F1001F
	PrOAuth2Token      Tag = 0x67F2001F
)

// The inbound side of a transport section (SPEC §8): IDs 0x6610–0x661F,
// which binds/2 covers by ID, and two tags of the secure range.
const (
	PrInbound             Tag = 0x6610001F
	PrInboundHost         Tag = 0x6611001F
	PrInboundPort         Tag = 0x66120003
	PrInboundSecurity     Tag = 0x6613001F
	PrInboundAuth         Tag = 0x6614001F
	PrInboundMailbox      Tag = 0x6615001F
	PrInboundKeep         Tag = 0x6616000B
	PrInboundMaildir      Tag = 0x6617001F
	PrInboundMDA          Tag = 0x6618001F
	PrInboundCAFile       Tag = 0x6619001F
	PrInboundFingerprint  Tag = 0x661A001F
	PrInboundInsecure     Tag = 0x661B000B
	PrInboundInsecureAuth Tag = 0x661C000B
	PrInboundMaxSize      Tag = 0x661D0003
	PrInboundUsername     Tag = 0x67F3001F
	PrInboundPassword     Tag = 0x67F4001F
)

// OAuth 2.0 (SPEC §8): the settings, IDs 0x6620–0x662F, which binds/2
// covers by ID, and three tags of the secure range. The refresh token and
// the client secret are secrets; the expiry is when the seed access token
// (PrOAuth2Token) expires. Live tokens are not properties: they are in the
// store's token file.
const (
	PrOAuth2Provider     Tag = 0x6620001F
	PrOAuth2ClientID     Tag = 0x6621001F
	PrOAuth2Tenant       Tag = 0x6622001F
	PrOAuth2Issuer       Tag = 0x6623001F
	PrOAuth2AuthURL      Tag = 0x6624001F
	PrOAuth2TokenURL     Tag = 0x6625001F
	PrOAuth2DeviceURL    Tag = 0x6626001F
	PrOAuth2Scopes       Tag = 0x6627101F // PT_MV_UNICODE
	PrOAuth2RefreshToken Tag = 0x67F5001F
	PrOAuth2ClientSecret Tag = 0x67F6001F
	PrOAuth2Expiry       Tag = 0x67F70040 // PT_SYSTIME
)

// Resource values (mapidefs.h).
const (
	MapiTransportProvider = 36      // PR_RESOURCE_TYPE of a transport
	StatusDefaultOutbound = 0x00001 // PR_RESOURCE_FLAGS bit
)

// Alias is one of mapictl's short property names (SPEC §6).
type Alias struct {
	Name    string
	Tag     Tag
	Meaning string
}

// Aliases lists mapictl's aliases in the order of SPEC §6. Those with IDs in
// 0x6600–0x67FF apply only in mapictl's own transport sections.
var Aliases = []Alias{
	{"display-name", PrDisplayName, "the identity's display name"},
	{"email", PrEmailAddress, "the identity's address on this transport"},
	{"addrtype", PrAddrType, `address type, "SMTP"`},
	{"transport", PrTransport, "smtp, maildir, sendmail, or none (a section that only receives)"},
	{"smtp.host", PrSMTPHost, "server host"},
	{"smtp.port", PrSMTPPort, "default 587 (starttls), 465 (tls), 25 (none)"},
	{"smtp.security", PrSMTPSecurity, "starttls (default), tls, none"},
	{"smtp.auth", PrSMTPAuth, "auto (default), scram-sha-256, plain, login, xoauth2, oauthbearer, none"},
	{"smtp.helo", PrSMTPHelo, "EHLO name"},
	{"smtp.ca-file", PrSMTPCAFile, "extra CA bundle (PEM)"},
	{"smtp.tls-fingerprint", PrSMTPFingerprint, "pinned SHA-256 of the server certificate"},
	{"smtp.insecure-skip-verify", PrSMTPInsecure, "never the default"},
	{"smtp.allow-insecure-auth", PrSMTPInsecureAuth, "allow AUTH without TLS (loopback tests)"},
	{"maildir.path", PrMaildirPath, "default <store>/mail"},
	{"sendmail.path", PrSendmailPath, "default /usr/sbin/sendmail"},
	{"timeout", PrTimeout, "seconds per network step, default 30"},
	{"multi-session", PrMultiSession, "default true; false: one live session at a time"},
	{"address-override", PrAddressOverride, "default true: a session may log on --as another address"},
	{"username", PrUsername, "secure: logon name"},
	{"password", PrPassword, "secure: password"},
	{"oauth2-token", PrOAuth2Token, "secure: bearer token for XOAUTH2 (a seed when oauth2.provider is set)"},
	// The inbound side (SPEC §8).
	{"inbound", PrInbound, "imap, pop3 or none (default)"},
	{"inbound.host", PrInboundHost, "incoming server host"},
	{"inbound.port", PrInboundPort, "default 993 / 995 (tls), 143 / 110 (starttls, none)"},
	{"inbound.security", PrInboundSecurity, "tls (default), starttls (required), none"},
	{"inbound.auth", PrInboundAuth, "auto (default), scram-sha-256, plain, login, xoauth2, oauthbearer, user, none"},
	{"inbound.mailbox", PrInboundMailbox, "IMAP mailbox, default INBOX"},
	{"inbound.keep", PrInboundKeep, "default true; false deletes each message once delivered"},
	{"inbound.maildir", PrInboundMaildir, "default <store>/inbox/<profile>/<section>"},
	{"inbound.mda", PrInboundMDA, "instead: a program (argv, shell-like quoting, no shell) given each message on stdin"},
	{"inbound.ca-file", PrInboundCAFile, "extra CA bundle (PEM)"},
	{"inbound.tls-fingerprint", PrInboundFingerprint, "pinned SHA-256 of the server certificate"},
	{"inbound.insecure-skip-verify", PrInboundInsecure, "never the default"},
	{"inbound.allow-insecure-auth", PrInboundInsecureAuth, "allow logon without TLS (loopback tests)"},
	{"inbound.max-size", PrInboundMaxSize, "bytes; larger messages are skipped and reported (0: no limit)"},
	{"inbound.username", PrInboundUsername, "secure: inbound logon name (default username)"},
	{"inbound.password", PrInboundPassword, "secure: inbound password (default password)"},
	// OAuth 2.0 (SPEC §8).
	{"oauth2.provider", PrOAuth2Provider, "microsoft, google (endpoints and scopes known) or custom"},
	{"oauth2.client-id", PrOAuth2ClientID, "the application registered with the provider"},
	{"oauth2.tenant", PrOAuth2Tenant, "Microsoft tenant, default common"},
	{"oauth2.issuer", PrOAuth2Issuer, "custom: issuer URL, endpoints by discovery"},
	{"oauth2.auth-url", PrOAuth2AuthURL, "custom: authorization endpoint (https)"},
	{"oauth2.token-url", PrOAuth2TokenURL, "custom: token endpoint (https; receives the refresh token)"},
	{"oauth2.device-url", PrOAuth2DeviceURL, "custom: device authorization endpoint (https)"},
	{"oauth2.scopes", PrOAuth2Scopes, "scopes; default per provider (SMTP, IMAP, POP3, offline access)"},
	{"oauth2.refresh-token", PrOAuth2RefreshToken, "secure: a seed refresh token (CI via profile apply)"},
	{"oauth2.client-secret", PrOAuth2ClientSecret, "secure: client secret, where the provider wants one"},
	{"oauth2.expiry", PrOAuth2Expiry, "secure: when the seed access token (oauth2-token) expires"},
}

// mapiNames maps MAPI property names (without _W/_A) to their ID and
// canonical type; string properties accept _W (PT_UNICODE) and _A (PT_STRING8).
var mapiNames = map[string]Tag{
	"PR_DISPLAY_NAME": 0x3001001F, "PR_ADDRTYPE": 0x3002001F, "PR_EMAIL_ADDRESS": 0x3003001F,
	"PR_PROVIDER_DISPLAY": 0x3006001F, "PR_RESOURCE_FLAGS": 0x30090003, "PR_PROVIDER_DLL_NAME": 0x300A001F,
	"PR_SEARCH_KEY": 0x300B0102, "PR_PROVIDER_UID": 0x300C0102, "PR_PROVIDER_ORDINAL": 0x300D0003,
	"PR_STORE_PROVIDERS": 0x3D000102, "PR_AB_PROVIDERS": 0x3D010102, "PR_TRANSPORT_PROVIDERS": 0x3D020102,
	"PR_DEFAULT_PROFILE": 0x3D04000B, "PR_SERVICE_NAME": 0x3D09001F, "PR_SERVICE_DLL_NAME": 0x3D0A001F,
	"PR_SERVICE_ENTRY_NAME": 0x3D0B001E, "PR_SERVICE_UID": 0x3D0C0102, "PR_SERVICE_EXTRA_UIDS": 0x3D0D0102,
	"PR_SERVICES": 0x3D0E0102, "PR_PROFILE_NAME": 0x3D12001F, "PR_IDENTITY_DISPLAY": 0x3E00001F,
	"PR_IDENTITY_ENTRYID": 0x3E010102, "PR_RESOURCE_METHODS": 0x3E020003, "PR_RESOURCE_TYPE": 0x3E030003,
	"PR_STATUS_CODE": 0x3E040003, "PR_IDENTITY_SEARCH_KEY": 0x3E050102, "PR_OWN_STORE_ENTRYID": 0x3E060102,
	"PR_RESOURCE_PATH": 0x3E07001F, "PR_STATUS_STRING": 0x3E08001F, "PR_OBJECT_TYPE": 0x0FFE0003,
	"PR_ENTRYID": 0x0FFF0102, "PR_INSTANCE_KEY": 0x0FF60102, "PR_SMTP_ADDRESS": 0x39FE001F,
	"PR_SUBJECT": 0x0037001F, "PR_BODY": 0x1000001F, "PR_MESSAGE_CLASS": 0x001A001F,
	"PR_INTERNET_MESSAGE_ID": 0x1035001F,
}

var namesByTag = func() map[Tag]string {
	m := make(map[Tag]string, len(mapiNames)*2)
	for n, t := range mapiNames {
		switch t.Type() {
		case PtUnicode:
			m[t] = n + "_W"
			m[NewTag(PtString8, t.ID())] = n + "_A"
		default:
			m[t] = n
		}
	}
	return m
}()

// LookupName resolves a MAPI property name: "PR_EMAIL_ADDRESS" and
// "PR_EMAIL_ADDRESS_W" give the PT_UNICODE tag, "PR_EMAIL_ADDRESS_A" the
// PT_STRING8 one. Names are case-insensitive.
func LookupName(name string) (Tag, bool) {
	n := strings.ToUpper(name)
	if t, ok := mapiNames[n]; ok {
		return t, true
	}
	for suffix, typ := range map[string]PropType{"_W": PtUnicode, "_A": PtString8} {
		base, ok := strings.CutSuffix(n, suffix)
		if !ok {
			continue
		}
		if t, ok := mapiNames[base]; ok && (t.Type() == PtUnicode || t.Type() == PtString8) {
			return NewTag(typ, t.ID()), true
		}
	}
	return 0, false
}

// NameOf returns the MAPI name of t ("PR_EMAIL_ADDRESS_W"), or "" if unknown.
func NameOf(t Tag) string { return namesByTag[t] }

// AliasOf returns mapictl's alias for t ("email"), or "".
func AliasOf(t Tag) string {
	for _, a := range Aliases {
		if a.Tag == t {
			return a.Name
		}
	}
	return ""
}

// Names lists every known MAPI name, sorted, for completion and prop list.
func Names() []string {
	out := make([]string, 0, len(namesByTag))
	for _, n := range namesByTag {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
