package profile

import (
	"crypto/rand"
	"encoding/hex"
	"slices"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// Format is the value of the file's "format" field.
const Format = "mapictl.profile/1"

// Section kinds.
const (
	KindGlobal      = "global"
	KindService     = "service"
	KindTransport   = "transport"
	KindStore       = "store"
	KindAddressBook = "addressbook"
)

// Kinds lists the valid section kinds.
var Kinds = []string{KindGlobal, KindService, KindTransport, KindStore, KindAddressBook}

// Profile is one decrypted profile file.
//
// Owners may open every section's secrets and sign new versions; each
// section's Readers may open that section's secrets only. Recipients, the
// outer layer's, are derived on every save: the owners, then every
// section's readers (SPEC §5). A file written before owners existed has
// Recipients and no Owners until an owner accepts it.
type Profile struct {
	Name       string
	UID        string
	Version    int64
	Owners     []string
	Recipients []string
	Signing    *Signing
	Sections   []*Section

	// Trust is how this store judged the document when it was read: set
	// by Store's readers, never written to the file.
	Trust *Trust

	sealedFor []string // the owners the loaded signing key was sealed to
	rotate    bool     // the next write makes a fresh signing key

	extra map[string]rawJSON
}

// RotateSigningKey makes the next write sign with a fresh key pair (SPEC
// §5: removing an owner always rotates).
func (p *Profile) RotateSigningKey() { p.rotate = true }

// deriveRecipients sets the outer recipients from the owners and readers:
// owners first, then each section's readers in order. A document without
// owners (written before them) keeps its recipients.
func (p *Profile) deriveRecipients() {
	if len(p.Owners) == 0 {
		return
	}
	out := slices.Clone(p.Owners)
	for _, s := range p.Sections {
		for _, r := range s.Readers {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	p.Recipients = out
}

// IsOwner reports whether recipient r is one of p's owners.
func (p *Profile) IsOwner(r string) bool { return slices.Contains(p.Owners, r) }

// Signing is the document's signing block: the public key the document
// claims (informational: a store verifies with its pin, never with this)
// and the private key's seed sealed to the owners.
type Signing struct {
	Key    string
	sealed rawJSON // the armored age file as its JSON string literal
	// Rotations are the owners' rotations of the key, oldest first, each
	// endorsed by the key before it: a store pinned to an older key follows
	// them to accept an owner's rotation without making a key of its own.
	Rotations []Rotation

	extra map[string]rawJSON
}

// Rotation is one endorsed change of signing key: By's signature (Sig)
// that Key succeeds it.
type Rotation struct {
	Key, By, Sig string

	extra map[string]rawJSON
}

// maxRotations bounds the rotations a document keeps.
const maxRotations = 16

// rotatedFrom reports whether the rotations lead from pinned to g.Key,
// each endorsed by the key before it.
func (g *Signing) rotatedFrom(uid, pinned string) bool {
	cur := pinned
	for _, r := range g.Rotations {
		if r.By == cur && secure.VerifyEndorsement(cur, uid, r.Key, r.Sig) {
			cur = r.Key
		}
	}
	return cur == g.Key && cur != pinned
}

// Sealed returns the armored sealed seed, or "" when it is not a string.
func (g *Signing) Sealed() string {
	s, err := jsontext.AppendUnquote(nil, g.sealed)
	if err != nil {
		return ""
	}
	return string(s)
}

func (g *Signing) setSealed(armored string) {
	g.sealed, _ = jsontext.AppendQuote(nil, armored)
}

// Section is one profile section (IProfSect): a property bag. Props never
// holds a secure tag; those live sealed in Secure.
type Section struct {
	Name    string
	UID     string
	Kind    string
	Service string
	Props   map[mapi.Tag]any
	Secure  *SecureBlob
	// Readers may open this section's secure range, besides the owners.
	Readers []string

	extra map[string]rawJSON
}

// SecureBlob is a section's sealed secure range as stored in the outer
// layer. Recipients and Tags are informational copies: who may open a
// range is decided by the signed document's owners and the section's
// readers, never by a list recorded in or beside the range.
type SecureBlob struct {
	Recipients []string
	Tags       []string

	// age is the armored age file as the JSON string literal that stands in
	// the document: loading a profile scans every section's range but
	// unquotes only those that are opened.
	age   rawJSON
	extra map[string]rawJSON
}

// newSecureBlob returns the blob of a range sealed as the armored age file.
func newSecureBlob(recipients, tags []string, armored string) *SecureBlob {
	lit, _ := jsontext.AppendQuote(nil, armored) // fails only on invalid UTF-8; armor is ASCII
	return &SecureBlob{Recipients: recipients, Tags: tags, age: lit}
}

// Age returns the sealed range as an armored age file, or "" when the
// document's value is not a string.
func (b *SecureBlob) Age() string {
	s, err := jsontext.AppendUnquote(nil, b.age)
	if err != nil {
		return ""
	}
	return string(s)
}

// NewUID returns a random MAPIUID as 32 lower-case hex digits.
func NewUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// New returns a profile holding only its global section (PR_PROFILE_NAME_W
// and a fresh PR_SEARCH_KEY), owned by owners.
func New(name string, owners []string) *Profile {
	p := &Profile{Name: name, UID: NewUID(), Owners: slices.Clone(owners), Recipients: slices.Clone(owners)}
	g := &Section{Name: "global", UID: NewUID(), Kind: KindGlobal, Props: map[mapi.Tag]any{}}
	p.Sections = []*Section{g}
	p.stampGlobal()
	return p
}

// ResetSections replaces p's sections with a fresh global section (a PRF
// with OverwriteProfile=Yes), keeping the profile's uid, owners and signing
// key: it is the same profile, rewritten by an owner.
func (p *Profile) ResetSections() {
	p.Sections = []*Section{{Name: "global", UID: NewUID(), Kind: KindGlobal, Props: map[mapi.Tag]any{}}}
	p.stampGlobal()
}

// stampGlobal sets the global section's name and a new search key.
func (p *Profile) stampGlobal() {
	g := p.Global()
	if g == nil {
		return
	}
	g.Props[mapi.PrProfileName] = p.Name
	key := make([]byte, 16)
	_, _ = rand.Read(key)
	g.Props[mapi.PrSearchKey] = key
}

// Global returns the profile's global section, or nil.
func (p *Profile) Global() *Section {
	for _, s := range p.Sections {
		if s.Kind == KindGlobal {
			return s
		}
	}
	return nil
}

// Section returns the section named name, or a MAPI_E_NOT_FOUND error.
func (p *Profile) Section(name string) (*Section, error) {
	for _, s := range p.Sections {
		if s.Name == name {
			return s, nil
		}
	}
	return nil, mapi.Errorf(mapi.NotFound, "section %q not found in profile %q", name, p.Name).
		WithHint("run 'mapictl section list' to see the sections")
}

// SectionByUID returns the section with the given uid, or nil.
func (p *Profile) SectionByUID(uid string) *Section {
	for _, s := range p.Sections {
		if s.UID == uid {
			return s
		}
	}
	return nil
}

// Transports returns the transport sections in transport order
// (PR_PROVIDER_ORDINAL).
func (p *Profile) Transports() []*Section {
	var out []*Section
	for _, s := range p.Sections {
		if s.Kind == KindTransport {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b *Section) int { return int(a.Ordinal() - b.Ordinal()) })
	return out
}

// Scope is the naming scope of s's properties (mapictl's provider-range
// aliases apply only to its transport sections).
func (s *Section) Scope() mapi.Scope {
	if s.Kind == KindTransport {
		return mapi.ScopeTransport
	}
	return mapi.ScopeOther
}

// String returns a string property, or "".
func (s *Section) String(t mapi.Tag) string {
	v, _ := s.Props[t].(string)
	return v
}

// Long returns a PT_LONG property, or def.
func (s *Section) Long(t mapi.Tag, def int32) int32 {
	if v, ok := s.Props[t].(int32); ok {
		return v
	}
	return def
}

// Bool returns a PT_BOOLEAN property, or def.
func (s *Section) Bool(t mapi.Tag, def bool) bool {
	if v, ok := s.Props[t].(bool); ok {
		return v
	}
	return def
}

// Ordinal is the section's PR_PROVIDER_ORDINAL (transport order).
func (s *Section) Ordinal() int32 { return s.Long(mapi.PrProviderOrdinal, 0) }

// DefaultOutbound reports whether PR_RESOURCE_FLAGS has STATUS_DEFAULT_OUTBOUND.
func (s *Section) DefaultOutbound() bool {
	return s.Long(mapi.PrResourceFlags, 0)&mapi.StatusDefaultOutbound != 0
}

// Transport is the section's transport kind ("smtp", "maildir", "sendmail").
func (s *Section) Transport() string { return s.String(mapi.PrTransport) }
