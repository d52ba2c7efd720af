package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/mapictl/mapictl/internal/mapi"
)

// The YAML and JSON forms of Props, Creds and Secret. Unmarshalling only
// records names, raw values and lines; Load resolves and checks them, since
// the names depend on the section's kind. A custom unmarshaller gets no
// KnownFields from the decoder, so these check their keys themselves.

// UnmarshalYAML reads a mapping of property names to values. A key given
// twice is malformed, as the decoder says of the manifest's own fields.
func (ps *Props) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: props must be a mapping", n.Line)
	}
	seen := keyLines{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: property names must be plain text", k.Line)
		}
		if err := seen.check(k); err != nil {
			return err
		}
		*ps = append(*ps, Prop{Key: k.Value, Value: v, Line: k.Line})
	}
	return nil
}

// UnmarshalYAML reads a mapping of secure property names to secret
// sources. A key given twice is malformed.
func (cs *Creds) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: credentials must be a mapping", n.Line)
	}
	seen := keyLines{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: credential names must be plain text", k.Line)
		}
		if err := seen.check(k); err != nil {
			return err
		}
		var s Secret
		if err := s.UnmarshalYAML(v); err != nil {
			return err
		}
		*cs = append(*cs, Cred{Key: k.Value, Source: s, Line: k.Line})
	}
	return nil
}

// keyLines finds a key given twice in one mapping: a custom unmarshaller
// gets the node unchecked, so it says what the decoder says of a struct's
// fields ("mapping key ... already defined").
type keyLines map[string]int

func (seen keyLines) check(k *yaml.Node) error {
	if line, ok := seen[k.Value]; ok {
		return fmt.Errorf("line %d: mapping key %q already defined at line %d", k.Line, clip(k.Value), line)
	}
	seen[k.Value] = k.Line
	return nil
}

var secretKeys = []string{"env", "file", "stdin", "command", "value"}

// UnmarshalYAML reads a plain scalar (a literal) or a one-key mapping
// naming the source. It never quotes the value in an error.
func (s *Secret) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return fmt.Errorf("line %d: empty credential", n.Line)
		}
		*s = Secret{Literal: n.Value}
		return nil
	case yaml.MappingNode:
	default:
		return fmt.Errorf("line %d: a credential is text or one of {env: VAR}, {file: PATH}, {stdin: true}, {command: [ARGV...]}", n.Line)
	}
	if len(n.Content) != 2 {
		return fmt.Errorf("line %d: a credential source has exactly one of env, file, stdin, command", n.Line)
	}
	k, v := n.Content[0], n.Content[1]
	if !slices.Contains(secretKeys, k.Value) {
		return fmt.Errorf("line %d: unknown credential source %q", k.Line, clip(k.Value))
	}
	var out Secret
	switch k.Value {
	case "env", "file":
		if v.Kind != yaml.ScalarNode || v.Value == "" || v.Tag == "!!null" {
			return fmt.Errorf("line %d: %s wants a name", v.Line, k.Value)
		}
		if k.Value == "env" {
			out.Env = v.Value
		} else {
			out.File = v.Value
		}
	case "stdin":
		if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" || v.Value != "true" {
			return fmt.Errorf("line %d: stdin wants true", v.Line)
		}
		out.Stdin = true
	case "command":
		var argv []string
		if v.Kind != yaml.SequenceNode || v.Decode(&argv) != nil || len(argv) == 0 || argv[0] == "" {
			return fmt.Errorf("line %d: command wants a non-empty list of arguments", v.Line)
		}
		out.Command = argv
	case "value":
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return fmt.Errorf("line %d: value wants text", v.Line)
		}
		val := v.Value
		out.Value = &val
	}
	*s = out
	return nil
}

// MarshalYAML writes a literal as a scalar, a source as a one-key mapping.
func (s Secret) MarshalYAML() (any, error) {
	if s.IsLiteral() {
		return s.Literal, nil
	}
	type plain Secret
	return plain(s), nil
}

// MarshalJSON mirrors MarshalYAML.
func (s Secret) MarshalJSON() ([]byte, error) {
	if s.IsLiteral() {
		return json.Marshal(s.Literal)
	}
	m := map[string]any{}
	switch {
	case s.Env != "":
		m["env"] = s.Env
	case s.File != "":
		m["file"] = s.File
	case s.Stdin:
		m["stdin"] = true
	case len(s.Command) > 0:
		m["command"] = s.Command
	case s.Value != nil:
		m["value"] = *s.Value
	}
	return json.Marshal(m)
}

// nativeValue is v in the form a manifest writes: numbers and booleans as
// such, every other type in the command-line text form ParseValue reads.
func nativeValue(t mapi.Tag, v any) any {
	switch x := v.(type) {
	case int16, int32, float64, bool, string:
		return x
	case []string, []int16, []int32, []float64:
		return x
	}
	if t.Type()&mapi.MvFlag != 0 {
		var items []string
		_ = json.Unmarshal([]byte(mapi.FormatValue(t, v)), &items)
		return items
	}
	return mapi.FormatValue(t, v)
}

// MarshalYAML writes the properties as an ordered mapping.
func (ps Props) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, p := range ps {
		var v yaml.Node
		if err := v.Encode(nativeValue(p.Tag, p.Value)); err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: p.Key}, &v)
	}
	return n, nil
}

// MarshalYAML writes the credentials as an ordered mapping.
func (cs Creds) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, c := range cs {
		var v yaml.Node
		if err := v.Encode(c.Source); err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: c.Key}, &v)
	}
	return n, nil
}

// MarshalJSON writes the properties as an object in their order.
func (ps Props) MarshalJSON() ([]byte, error) {
	return orderedJSON(len(ps), func(i int) (string, any) { return ps[i].Key, nativeValue(ps[i].Tag, ps[i].Value) })
}

// MarshalJSON writes the credentials as an object in their order.
func (cs Creds) MarshalJSON() ([]byte, error) {
	return orderedJSON(len(cs), func(i int) (string, any) { return cs[i].Key, cs[i].Source })
}

func orderedJSON(n int, at func(int) (string, any)) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := range n {
		k, v := at(i)
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
