package manifest

import (
	"fmt"
	"io"
)

// Plan actions.
const (
	Create    = "create"
	Update    = "update"
	Delete    = "delete"
	Unchanged = "unchanged"
	Replace   = "replace"
)

// Change is one step of a plan: a section, a property of it, or the
// profile's recipients. A secret change carries no value, only Secret set.
type Change struct {
	Action  string `json:"action"`
	Section string `json:"section,omitempty"`
	Prop    string `json:"prop,omitempty"`
	Old     any    `json:"old,omitempty"`
	New     any    `json:"new,omitempty"`
	Secret  bool   `json:"secret,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Plan is what applying a manifest does (or did) to a profile.
type Plan struct {
	Profile  string   `json:"profile"`
	Create   bool     `json:"create"`
	Changes  []Change `json:"changes"`
	Warnings []string `json:"warnings,omitempty"`
}

// Changed reports whether the plan changes anything.
func (p *Plan) Changed() bool {
	if p.Create {
		return true
	}
	for _, c := range p.Changes {
		if c.Action != Unchanged {
			return true
		}
	}
	return false
}

func (p *Plan) add(c Change) { p.Changes = append(p.Changes, c) }

func (p *Plan) warnf(format string, args ...any) {
	p.Warnings = append(p.Warnings, fmt.Sprintf(format, args...))
}

// WriteText prints the plan, one change a line:
//
//	create profile team
//	create section smtp-ci
//	update smtp-ops.smtp.port: 587 -> 465
//	unchanged smtp-ops.password (secret)
func (p *Plan) WriteText(w io.Writer) {
	if p.Create {
		fmt.Fprintf(w, "create profile %s\n", p.Profile)
	}
	for _, c := range p.Changes {
		fmt.Fprintln(w, c.String())
	}
	if !p.Changed() {
		fmt.Fprintf(w, "profile %s is up to date\n", p.Profile)
	}
}

// String is the change as one line of text; it never holds a secret.
func (c Change) String() string {
	target := "section " + c.Section
	switch {
	case c.Section == "" && c.Prop != "":
		target = "profile." + c.Prop
	case c.Prop != "":
		target = c.Section + "." + c.Prop
	}
	s := c.Action + " " + target
	switch {
	case c.Secret:
		s += " (secret)"
	case c.Action == Update && c.Old != nil:
		s += fmt.Sprintf(": %v -> %v", c.Old, c.New)
	case c.New != nil:
		s += fmt.Sprintf(": %v", c.New)
	case c.Old != nil:
		s += fmt.Sprintf(": %v", c.Old)
	}
	if c.Note != "" {
		s += " (" + c.Note + ")"
	}
	return s
}
