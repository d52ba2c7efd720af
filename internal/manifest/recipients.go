package manifest

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// keyList is one of a manifest's lists of recipients (owners, a section's
// readers, or the older recipients of either): its field, the section it
// is in ("" at the top level), how many entries it has and where each is.
type keyList struct {
	section, field string
	n              int
	lines          func() []int // the line of each entry (nil when unknown), asked on error only
}

// normalizeKeys is normalize of the concatenated lists' entries rs. A
// recipient it refuses is named by list, line and value (a public key),
// except a secret key pasted there: that is said to be one, and never
// printed.
func normalizeKeys(rs []string, lists ...keyList) ([]string, error) {
	out, bad, err := normalize(rs)
	if err == nil {
		return out, nil
	}
	value := strings.TrimSpace(rs[bad])
	where := "recipient"
	for _, l := range lists {
		if bad >= l.n {
			bad -= l.n
			continue
		}
		where = l.field
		if l.section != "" {
			where = fmt.Sprintf("section %q, %s", l.section, l.field)
		}
		if lines := l.lines(); bad < len(lines) && lines[bad] > 0 {
			where += fmt.Sprintf(", line %d", lines[bad])
		}
		break
	}
	e := mapi.AsError(err)
	if what := secure.SecretKind(value); what != "" {
		return nil, mapi.Errorf(e.Code, "%s: that is %s, not a recipient; it must not be in the file", where, what).
			WithHint("remove it, give its recipient (age1…, 'mapictl identity show' prints yours) instead, and treat the key as exposed if the file went anywhere")
	}
	return nil, &mapi.Error{Code: e.Code, Exit: e.Exit, Msg: fmt.Sprintf("%s: recipient %q: %s", where, clipKey(value), e.Msg), Hints: e.Hints, Err: err}
}

// clipKey shortens a recipient for a message: long enough to show an
// age1… recipient whole, not an RSA key's whole body.
func clipKey(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// entryLines returns the line of each entry of the sequence under key in
// mapping n (nil when n is no mapping or has no such sequence).
func entryLines(n *yaml.Node, key string) []int {
	v := mappingValue(n, key)
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil
	}
	lines := make([]int, len(v.Content))
	for i, it := range v.Content {
		lines[i] = it.Line
	}
	return lines
}

// mappingValue is the value of key in mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
