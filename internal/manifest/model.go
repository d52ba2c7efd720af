package manifest

import (
	"github.com/mapictl/mapictl/internal/mapi"
)

// Manifest is one profile as a manifest describes it.
type Manifest struct {
	Profile    string     `yaml:"profile" json:"profile"`
	Owners     []string   `yaml:"owners,omitempty" json:"owners,omitempty"`
	Recipients []string   `yaml:"recipients,omitempty" json:"recipients,omitempty"` // read as owners (files written before them)
	Default    *bool      `yaml:"default,omitempty" json:"default,omitempty"`
	Sections   []*Section `yaml:"sections,omitempty" json:"sections,omitempty"`
}

// Section is one section of a manifest. Props and Credentials keep the
// order and the names of the file; Load resolves them into tags.
type Section struct {
	Name        string   `yaml:"name" json:"name"`
	Kind        string   `yaml:"kind,omitempty" json:"kind,omitempty"`
	Transport   string   `yaml:"transport,omitempty" json:"transport,omitempty"`
	Props       Props    `yaml:"props,omitempty" json:"props,omitempty"`
	Credentials Creds    `yaml:"credentials,omitempty" json:"credentials,omitempty"`
	Readers     []string `yaml:"readers,omitempty" json:"readers,omitempty"`
	Recipients  []string `yaml:"recipients,omitempty" json:"recipients,omitempty"` // read as readers (files written before them)
	Line        int      `yaml:"-" json:"-"`
}

// Prop is one non-secure property: its name as written (alias, MAPI name or
// hex tag), the tag it resolves to and its value, typed by the tag.
type Prop struct {
	Key   string
	Tag   mapi.Tag
	Value any
	Line  int
}

// Props is an ordered property map.
type Props []Prop

// Cred is one secure property and where its value comes from.
type Cred struct {
	Key    string
	Tag    mapi.Tag
	Source Secret
	Line   int
}

// Creds is an ordered map of credentials.
type Creds []Cred

// Secret is where a secure value comes from; exactly one field is set.
// Literal is a plain scalar, allowed for the username only.
type Secret struct {
	Literal string   `yaml:"-" json:"-"`
	Env     string   `yaml:"env,omitempty" json:"env,omitempty"`
	File    string   `yaml:"file,omitempty" json:"file,omitempty"`
	Stdin   bool     `yaml:"stdin,omitempty" json:"stdin,omitempty"`
	Command []string `yaml:"command,omitempty" json:"command,omitempty"`
	Value   *string  `yaml:"value,omitempty" json:"value,omitempty"`
}

// IsLiteral reports whether s is a plain scalar.
func (s Secret) IsLiteral() bool {
	return s.Env == "" && s.File == "" && !s.Stdin && len(s.Command) == 0 && s.Value == nil
}

// kindOf is the section kind with the manifest's default (transport).
func (s *Section) kindOf() string {
	if s.Kind == "" {
		return "transport"
	}
	return s.Kind
}
