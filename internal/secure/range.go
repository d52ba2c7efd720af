package secure

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Range is the plaintext of a section's secure.age (SPEC §5): the secure
// properties, the recipients the range was written for, and the binding
// hash over the section's security-relevant settings. Fields this version
// does not know are kept in Extra and written back unchanged.
type Range struct {
	Props      map[string]json.RawMessage `json:"props"` // tag "0x67F1001F" -> JSON value
	Recipients []string                   `json:"recipients"`
	Binds      string                     `json:"binds"`
	// Bound are the bound settings' values (tag -> JSON value) the range
	// was sealed for, so a refusal can name what changed, old and new.
	Bound map[string]json.RawMessage `json:"bound,omitempty"`

	// Extra holds unknown top-level fields, so they survive a rewrite.
	Extra map[string]json.RawMessage `json:"-"`
}

// IsSecureTag reports whether tag (as written in a profile, "0x67F0001F") is
// a secure-range tag: "0x" and 8 upper-case hex digits whose property ID is
// in 0x67F0–0x67FF. Every credential read checks it, so it is plain code, not
// a regexp compiled at first use.
func IsSecureTag(tag string) bool {
	if len(tag) != 10 || !strings.HasPrefix(tag, "0x67F") {
		return false
	}
	for i := 5; i < len(tag); i++ {
		if c := tag[i]; (c < '0' || c > '9') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// rangeKnown are the fields of Range that are not kept in Extra.
var rangeKnown = []string{"props", "recipients", "binds", "bound"}

// MarshalJSON writes the known fields and Extra, keys sorted.
func (r Range) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(r.Extra)+3)
	for k, v := range r.Extra {
		m[k] = v
	}
	props := r.Props
	if props == nil {
		props = map[string]json.RawMessage{}
	}
	recips := r.Recipients
	if recips == nil {
		recips = []string{}
	}
	m["props"], m["recipients"], m["binds"] = props, recips, r.Binds
	if r.Bound != nil {
		m["bound"] = r.Bound
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads the known fields and keeps the others in Extra.
func (r *Range) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if m == nil {
		return errors.New("secure range is null")
	}
	var out Range
	fields := map[string]any{"props": &out.Props, "recipients": &out.Recipients, "binds": &out.Binds, "bound": &out.Bound}
	for _, k := range rangeKnown {
		if v, ok := m[k]; ok {
			if err := json.Unmarshal(v, fields[k]); err != nil {
				return err
			}
			delete(m, k)
		}
	}
	for k, v := range out.Props {
		out.Props[k] = compact(v)
	}
	if len(m) > 0 {
		out.Extra = make(map[string]json.RawMessage, len(m))
		for k, v := range m {
			out.Extra[k] = compact(v)
		}
	}
	*r = out
	return nil
}

// compact removes insignificant white space from valid JSON v.
func compact(v json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return v
	}
	return buf.Bytes()
}

// Validate checks that every prop key is a secure tag ([IsSecureTag]) and
// every value is present. Errors: InvalidParameter naming the first bad tag
// (never a value).
func (r *Range) Validate() error {
	keys := make([]string, 0, len(r.Props))
	for k := range r.Props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !IsSecureTag(k) {
			return mapi.Errorf(mapi.InvalidParameter, "secure range holds tag %q outside 0x67F0-0x67FF", k)
		}
		if len(r.Props[k]) == 0 {
			return mapi.Errorf(mapi.InvalidParameter, "secure range tag %q has no value", k)
		}
	}
	return nil
}

// SealRange returns r as JSON, armored and encrypted to recipients, the
// value of a section's secure.age. Errors: InvalidParameter for no or
// mixed recipients, or a tag outside the secure range.
func SealRange(r *Range, recipients []string) (string, error) {
	if r == nil {
		return "", mapi.Errorf(mapi.InvalidParameter, "no secure range")
	}
	if len(recipients) == 0 {
		return "", mapi.Errorf(mapi.InvalidParameter, "a secure range needs at least one recipient")
	}
	if err := r.Validate(); err != nil {
		return "", err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return "", mapi.Errorf(mapi.InvalidParameter, "secure range has a value that is not JSON")
	}
	defer clear(b)
	return EncryptArmored(b, recipients)
}

// OpenRange decrypts and decodes a section's secure.age. Errors: NoAccess
// when no identity matches; CorruptData when it does not decrypt,
// authenticate, or parse as a range object, or holds a tag outside
// 0x67F0–0x67FF.
func OpenRange(armored string, ids []age.Identity) (*Range, error) {
	plain, err := DecryptArmored(armored, ids)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	r, err := decodeRange(plain)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// decodeRange parses the plaintext of a range. Errors: CorruptData naming
// no value.
func decodeRange(plain []byte) (*Range, error) {
	var r Range
	if err := json.Unmarshal(plain, &r); err != nil {
		return nil, mapi.Errorf(mapi.CorruptData, "secure range is not a valid JSON object")
	}
	if err := r.Validate(); err != nil {
		return nil, mapi.Errorf(mapi.CorruptData, "%s", mapi.AsError(err).Msg)
	}
	return &r, nil
}
