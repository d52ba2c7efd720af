package message

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in   string
		want Address
		err  error
	}{
		{"dana@example.org", Address{"", "dana@example.org"}, nil},
		{"  <dana@example.org>  ", Address{"", "dana@example.org"}, nil},
		{`"Li, Dana" <d@x>`, Address{"Li, Dana", "d@x"}, nil},
		{"Dana Li <d@x>", Address{"Dana Li", "d@x"}, nil},
		{"=?utf-8?q?J=C3=B6rg?= <j@x>", Address{"Jörg", "j@x"}, nil},
		{"Jörg <j@x>", Address{"Jörg", "j@x"}, nil},
		{`"a b"@x`, Address{"", "a b@x"}, nil},
		{"", Address{}, ErrInvalidAddress},
		{"   ", Address{}, ErrInvalidAddress},
		{"Li, Dana <d@x>", Address{}, ErrInvalidAddress},
		{"a@x, b@x", Address{}, ErrInvalidAddress},
		{"no-at-sign", Address{}, ErrInvalidAddress},
		{"a@x\r\nBcc: e@x", Address{}, ErrInvalidAddress},
		{"a@x\n", Address{}, ErrInvalidAddress},
		{"A\x00 <a@x>", Address{}, ErrInvalidAddress},
		{"=?utf-8?q?A=0AB?= <a@x>", Address{}, ErrInvalidAddress},
		{"=?utf-8?q?=FF?= <a@x>", Address{}, ErrInvalidAddress},
		{strings.Repeat("a", 250) + "@example.org", Address{}, ErrInvalidAddress},
		{`"` + strings.Repeat("n", 1000) + `" <a@x>`, Address{}, ErrInvalidAddress},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAddress(tt.in)
			wantErr(t, err, tt.err)
			if got != tt.want {
				t.Errorf("ParseAddress(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			if err != nil && len(tt.in) > 8 && strings.Contains(err.Error(), tt.in) {
				t.Errorf("error repeats the input: %v", err)
			}
		})
	}
}

func TestAddressString(t *testing.T) {
	tests := []struct {
		a    Address
		want string
	}{
		{Address{"", "d@x"}, "<d@x>"},
		{Address{"Li, Dana", "d@x"}, `"Li, Dana" <d@x>`},
		{Address{"Jörg", "j@x"}, "=?utf-8?q?J=C3=B6rg?= <j@x>"},
		{Address{"", "a b@x"}, `<"a b"@x>`},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.a, got, tt.want)
		}
		back, err := ParseAddress(tt.a.String())
		if err != nil || back != tt.a {
			t.Errorf("ParseAddress(%q) = %#v, %v", tt.a.String(), back, err)
		}
	}
}

func TestParseAddressList(t *testing.T) {
	tests := []struct {
		in   string
		want []Address
		err  error
	}{
		{`"Li, Dana" <d@x>, sam@y`, []Address{{"Li, Dana", "d@x"}, {"", "sam@y"}}, nil},
		{"team: a@x, b@y;, c@z", []Address{{"", "a@x"}, {"", "b@y"}, {"", "c@z"}}, nil},
		{"undisclosed-recipients:;", []Address{}, nil},
		{"", nil, ErrInvalidAddress},
		{"a@x, broken", nil, ErrInvalidAddress},
		{"a@x,\r\n b@y", nil, ErrInvalidAddress},
	}
	for _, tt := range tests {
		got, err := ParseAddressList(tt.in)
		wantErr(t, err, tt.err)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseAddressList(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestRecipients(t *testing.T) {
	d := &Draft{
		To:  []Address{{"A", "a@Example.org"}, {"", "b@x"}},
		Cc:  []Address{{"", "a@example.ORG"}, {"", "c@x"}},
		Bcc: []Address{{"", "b@x"}, {"", "q r@x"}, {"", "A@example.org"}},
	}
	want := []string{"a@Example.org", "b@x", "c@x", `"q r"@x`, "A@example.org"}
	if got := d.Recipients(); !reflect.DeepEqual(got, want) {
		t.Errorf("Recipients() = %q, want %q", got, want)
	}
}

func TestParseHeader(t *testing.T) {
	tests := []struct {
		in   string
		want Header
		err  error
	}{
		{"X-Foo: bar baz", Header{"X-Foo", "bar baz"}, nil},
		{"X-Foo:bar", Header{"X-Foo", "bar"}, nil},
		{"  Reply-To :  a@x  ", Header{"Reply-To", "a@x"}, nil},
		{"X-Empty:", Header{"X-Empty", ""}, nil},
		{"X-Url: http://a:b@c", Header{"X-Url", "http://a:b@c"}, nil},
		{"no colon", Header{}, ErrInvalidHeader},
		{": value", Header{"", "value"}, ErrInvalidHeader},
		{"X Foo: bar", Header{"X Foo", "bar"}, ErrInvalidHeader},
		{"Bcc: a@x", Header{"Bcc", "a@x"}, ErrInvalidHeader},
		{"resent-bcc: a@x", Header{"resent-bcc", "a@x"}, ErrInvalidHeader},
		{"mime-version: 2.0", Header{"mime-version", "2.0"}, ErrInvalidHeader},
		{"Content-Transfer-Encoding: 8bit", Header{"Content-Transfer-Encoding", "8bit"}, ErrInvalidHeader},
		{"X-A: b\r\nBcc: e@x", Header{"X-A", "b\r\nBcc: e@x"}, ErrInvalidHeader},
		{"X-A: b\x00", Header{"X-A", "b\x00"}, ErrInvalidHeader},
		{"X-Ä: b", Header{"X-Ä", "b"}, ErrInvalidHeader},
		{"X-Long: " + strings.Repeat("w", 990), Header{"X-Long", strings.Repeat("w", 990)}, nil},
		{"X-Long: " + strings.Repeat("w", 991), Header{"X-Long", strings.Repeat("w", 991)}, ErrInvalidHeader},
		{"X-Long: " + strings.Repeat("word ", 400), Header{"X-Long", strings.TrimSpace(strings.Repeat("word ", 400))}, nil},
	}
	for _, tt := range tests {
		got, err := ParseHeader(tt.in)
		if (err == nil) != (tt.err == nil) {
			t.Errorf("ParseHeader(%.30q) error = %v, want %v", tt.in, err, tt.err)
		}
		wantErr(t, err, tt.err)
		if got != tt.want {
			t.Errorf("ParseHeader(%.30q) = %#v, want %#v", tt.in, got, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "e@x") {
			t.Errorf("error repeats the value: %v", err)
		}
	}
}
