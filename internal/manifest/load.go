package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

// MaxSize bounds a manifest (bytes).
const MaxSize = 4 << 20

// LoadOptions tune Load.
type LoadOptions struct {
	// AllowValues accepts {value: ...} secrets, which `profile export
	// --secure` writes. Without it they are refused like a literal.
	AllowValues bool
}

// LoadFile reads the manifest at path (see Load). A relative CA file
// (smtp.ca-file, inbound.ca-file) or inbound.maildir is resolved against the manifest's
// directory, as {file: ...} secrets are, and stored absolute: binds covers
// the path, which must mean the same file from any working directory. A
// file that cannot be read is MAPI_E_NOT_FOUND or MAPI_E_DISK_ERROR.
func LoadFile(path string, o LoadOptions) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, mapi.Errorf(mapi.NotFound, "manifest %s not found", path)
	}
	if err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "read manifest "+path)
	}
	m, err := Load(bytes.NewReader(data), o)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "resolve manifest directory")
	}
	for _, s := range m.Sections {
		for i, p := range s.Props {
			v, ok := p.Value.(string)
			if id := p.Tag.ID(); (id == 0x6606 || id == 0x6619 || id == 0x6617) && ok && v != "" && !filepath.IsAbs(v) {
				s.Props[i].Value = filepath.Join(dir, v)
			}
		}
	}
	return m, nil
}

// Load parses and checks a manifest (YAML; JSON being YAML, an export in
// either format loads). Every property name and value, kind, transport and
// recipient is resolved and checked; secrets are not read (see Resolver).
// Errors: MAPI_E_CORRUPT_DATA for syntax, unknown fields, duplicate keys and a wrong shape,
// MAPI_E_INVALID_PARAMETER for bad names, values, recipients, a literal
// secret or a second {stdin: true}. Error text never holds a secret.
func Load(r io.Reader, o LoadOptions) (*Manifest, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "read manifest")
	}
	if len(data) > MaxSize {
		return nil, mapi.Errorf(mapi.CorruptData, "manifest larger than %d bytes", MaxSize)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, mapi.Errorf(mapi.CorruptData, "manifest is empty")
		}
		return nil, mapi.Errorf(mapi.CorruptData, "malformed manifest: %s", yamlMessage(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, mapi.Errorf(mapi.CorruptData, "malformed manifest: more than one document")
	}
	if err := m.check(o, sourceNode(data)); err != nil {
		return nil, err
	}
	return &m, nil
}

// sourceNode returns the function that parses data, once, into the node of
// its top-level mapping (nil if it has none): where an error says which line.
func sourceNode(data []byte) func() *yaml.Node {
	return sync.OnceValue(func() *yaml.Node {
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
			return nil
		}
		return doc.Content[0]
	})
}

// backquoted matches the values yaml quotes in its errors (compiled on first
// use: start-up cost is paid by every command).
var backquoted = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("`[^`]*`") })

// yamlMessage is a yaml error without the values it quotes (one may be a
// secret).
func yamlMessage(err error) string {
	msg := err.Error()
	if te, ok := err.(*yaml.TypeError); ok {
		msg = ""
		for i, e := range te.Errors {
			if i > 0 {
				msg += "; "
			}
			msg += unknownField(e)
		}
	}
	msg = backquoted().ReplaceAllString(msg, "a value")
	if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	return msg
}

// notFound matches the decoder's words for an unknown field (KnownFields):
// "line 2: field foo not found in type manifest.Manifest".
var notFound = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^line (\d+): field (.*) not found in type manifest\.(Manifest|Section)$`)
})

// unknownField says a decoder's "field ... not found in type ..." as a
// user reads it: the field, the line and the fields allowed there. Any
// other message is returned as it is.
func unknownField(msg string) string {
	m := notFound().FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	where, typ := "at the top level", reflect.TypeFor[Manifest]()
	if m[3] == "Section" {
		where, typ = "in a section", reflect.TypeFor[Section]()
	}
	var fields []string
	for f := range typ.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
			fields = append(fields, name)
		}
	}
	return fmt.Sprintf("line %s: unknown field %q %s (allowed there: %s)", m[1], clip(m[2]), where, strings.Join(fields, ", "))
}

// check resolves and checks m; root is its source's top-level mapping
// (see sourceNode), for the lines of its errors.
func (m *Manifest) check(o LoadOptions, root func() *yaml.Node) error {
	if m.Profile == "" {
		return mapi.Errorf(mapi.CorruptData, "malformed manifest: profile is required")
	}
	if err := profile.CheckName("profile", m.Profile); err != nil {
		return err
	}
	var err error
	if m.Owners, err = normalizeKeys(append(m.Owners, m.Recipients...),
		keyList{field: "owners", n: len(m.Owners), lines: func() []int { return entryLines(root(), "owners") }},
		keyList{field: "recipients", n: len(m.Recipients), lines: func() []int { return entryLines(root(), "recipients") }}); err != nil {
		return err
	}
	m.Recipients = nil
	names := map[string]bool{}
	stdin := false
	for i, s := range m.Sections {
		if s == nil || s.Name == "" {
			return mapi.Errorf(mapi.CorruptData, "malformed manifest: every section needs a name")
		}
		if names[s.Name] {
			return mapi.Errorf(mapi.InvalidParameter, "section %q named twice in the manifest", s.Name)
		}
		names[s.Name] = true
		node := func() *yaml.Node {
			if v := mappingValue(root(), "sections"); v != nil && v.Kind == yaml.SequenceNode && i < len(v.Content) {
				return v.Content[i]
			}
			return nil
		}
		if err := s.check(o, &stdin, node); err != nil {
			return err
		}
	}
	return nil
}

// normalize returns rs normalized, without repeats; on error, bad is the
// index of the recipient refused.
func normalize(rs []string) (out []string, bad int, err error) {
	for i, r := range rs {
		n, err := secure.NormalizeRecipient(r)
		if err != nil {
			return nil, i, err
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, 0, nil
}

// check resolves and checks s; node is its source's mapping (nil when
// unknown), for the lines of its errors.
func (s *Section) check(o LoadOptions, stdin *bool, node func() *yaml.Node) error {
	if err := profile.CheckName("section", s.Name); err != nil {
		return err
	}
	kind := s.kindOf()
	if !slices.Contains(profile.Kinds, kind) {
		return mapi.Errorf(mapi.InvalidParameter, "section %q: invalid kind %q", s.Name, clip(kind)).
			WithHint("kinds are global, service, transport, store and addressbook")
	}
	if kind == profile.KindTransport {
		if s.Transport == "" {
			s.Transport = "smtp"
		}
		if !slices.Contains(profile.TransportKinds, s.Transport) {
			return mapi.Errorf(mapi.InvalidParameter, "section %q: unknown transport %q", s.Name, clip(s.Transport)).
				WithHint("transports are smtp, maildir, sendmail and none (inbound only)")
		}
	} else if s.Transport != "" {
		return mapi.Errorf(mapi.InvalidParameter, "section %q: transport applies only to transport sections", s.Name)
	}
	sc := &profile.Section{Name: s.Name, Kind: kind}
	seen := map[mapi.Tag]bool{}
	for i := range s.Props {
		if err := s.checkProp(&s.Props[i], sc.Scope(), seen); err != nil {
			return err
		}
	}
	for i := range s.Credentials {
		if err := s.checkCred(&s.Credentials[i], sc.Scope(), seen, o, stdin); err != nil {
			return err
		}
	}
	var err error
	s.Readers, err = normalizeKeys(append(s.Readers, s.Recipients...),
		keyList{section: s.Name, field: "readers", n: len(s.Readers), lines: func() []int { return entryLines(node(), "readers") }},
		keyList{section: s.Name, field: "recipients", n: len(s.Recipients), lines: func() []int { return entryLines(node(), "recipients") }})
	s.Recipients = nil
	return err
}

func (s *Section) checkProp(p *Prop, scope mapi.Scope, seen map[mapi.Tag]bool) error {
	where := func(format string, args ...any) *mapi.Error {
		return mapi.Errorf(mapi.InvalidParameter, "section %q, line %d: "+format, append([]any{s.Name, p.Line}, args...)...)
	}
	t, err := mapi.ParseTag(p.Key, scope)
	if err != nil {
		return where("%s", mapi.AsError(err).Msg)
	}
	switch {
	case t.Secure():
		return where("%s is a secure property", clip(p.Key)).WithHint("give it under credentials, from {env: VAR}, {file: PATH}, {stdin: true} or {command: [...]}")
	case profile.IsReserved(t):
		return where("%s is maintained by mapictl", clip(p.Key))
	case t == mapi.PrTransport:
		return where("give the transport with the section's transport field")
	case seen[t]:
		return where("%s given twice", clip(p.Key))
	}
	seen[t] = true
	p.Tag = t
	if v, ok := p.Value.(*yaml.Node); ok {
		val, err := nodeValue(t, v)
		if err != nil {
			return where("%s", mapi.AsError(err).Msg)
		}
		p.Value = val
	}
	if err := mapi.CheckType(t, p.Value); err != nil {
		return where("%s: value has the wrong type", clip(p.Key))
	}
	return nil
}

// nodeValue parses a YAML value for t: a scalar in its command-line form, a
// sequence for a multi-valued type.
func nodeValue(t mapi.Tag, n *yaml.Node) (any, error) {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag != "!!null":
		return mapi.ParseValue(t, n.Value)
	case n.Kind == yaml.SequenceNode && t.Type()&mapi.MvFlag != 0:
		items := make([]string, 0, len(n.Content))
		for _, it := range n.Content {
			if it.Kind != yaml.ScalarNode || it.Tag == "!!null" {
				return nil, mapi.Errorf(mapi.InvalidParameter, "items must be plain values")
			}
			items = append(items, it.Value)
		}
		b, _ := json.Marshal(items)
		return mapi.ParseValue(t, string(b))
	}
	return nil, mapi.Errorf(mapi.InvalidParameter, "want a plain value for %s", t.Type())
}

func (s *Section) checkCred(c *Cred, scope mapi.Scope, seen map[mapi.Tag]bool, o LoadOptions, stdin *bool) error {
	where := func(format string, args ...any) *mapi.Error {
		return mapi.Errorf(mapi.InvalidParameter, "section %q, line %d: "+format, append([]any{s.Name, c.Line}, args...)...)
	}
	t, err := mapi.ParseTag(c.Key, scope)
	if err != nil {
		return where("%s", mapi.AsError(err).Msg)
	}
	if !t.Secure() {
		return where("%s is not a secure property (IDs 0x67F0-0x67FF); give it under props", clip(c.Key))
	}
	if t.Type() != mapi.PtUnicode && t.Type() != mapi.PtString8 && t.Type() != mapi.PtBinary && t.Type() != mapi.PtSysTime {
		return where("%s: only string, binary and time secure properties are supported", clip(c.Key))
	}
	if seen[t] {
		return where("%s given twice", clip(c.Key))
	}
	seen[t] = true
	c.Tag = t
	switch src := c.Source; {
	case src.IsLiteral() && t != mapi.PrUsername && t != mapi.PrInboundUsername:
		return where("refusing a literal secret for %s", clip(c.Key)).
			WithHint("take it from {env: VAR}, {file: PATH}, {stdin: true} or {command: [pass, show, NAME]}")
	case src.Value != nil && !o.AllowValues:
		return where("%s holds a plain-text secret (as 'profile export --secure' writes)", clip(c.Key)).
			WithHint("apply such a file with --plaintext-secrets, or replace the value by {env: VAR} or {file: PATH}")
	case src.Stdin:
		if *stdin {
			return where("only one credential can come from stdin")
		}
		*stdin = true
	}
	return nil
}

// UsesStdin reports whether a credential of m reads standard input.
func (m *Manifest) UsesStdin() bool {
	for _, s := range m.Sections {
		for _, c := range s.Credentials {
			if c.Source.Stdin {
				return true
			}
		}
	}
	return false
}
