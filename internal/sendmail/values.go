package sendmail

import (
	"strings"
)

// value stores the value of a value-taking option letter c.
func (o *Options) value(c byte, v string) error {
	switch c {
	case 'f', 'r':
		if hasControl(v, false) {
			return usagef("option -%c: the sender contains a control character (CR, LF, NUL, ...)", c)
		}
		s := strings.Trim(v, " ")
		if s == "<>" {
			o.Sender, o.NullSender = "", true
			return nil
		}
		s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
		if s == "" || strings.ContainsAny(s, " <>") || hasControl(s, false) {
			return usagef("option -%c: invalid sender %q", c, v)
		}
		o.Sender, o.NullSender = s, false
	case 'F':
		if hasControl(v, true) {
			return usagef("option -F: the name contains a control character (CR, LF, NUL, ...)")
		}
		o.FullName = v
	case 'N':
		return o.notify(v)
	case 'R':
		switch u := strings.ToUpper(v); u {
		case "FULL", "HDRS":
			o.DSNReturn = u
		default:
			return usagef("option -R: %q is not full or hdrs", v)
		}
	case 'V':
		for _, r := range v {
			if r < 0x21 || r > 0x7e || r == '+' || r == '=' {
				return usagef("option -V: the envelope id must be printable ASCII without spaces, + or =")
			}
		}
		if v == "" || len(v) > 100 {
			return usagef("option -V: the envelope id must be 1 to 100 characters")
		}
		o.EnvID = v
	case 'B':
		switch u := strings.ToUpper(v); u {
		case "7BIT", "8BITMIME":
			o.Body = u
		default:
			return usagef("option -B: %q is not 7BIT or 8BITMIME", v)
		}
	default: // h, L, O, C, X: hop count, log tag, option, config, log file
		o.Ignored = append(o.Ignored, "-"+string(c)+" "+v)
	}
	return nil
}

// hasControl reports a C0 control character (CR, LF, NUL among them) or
// DEL in s; a tab counts only when tabOK is false.
func hasControl(s string, tabOK bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\t' && tabOK {
			continue
		}
		if c < ' ' || c == 0x7f {
			return true
		}
	}
	return false
}

// notify parses -N: "never", or a comma list of success, failure, delay.
func (o *Options) notify(v string) error {
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(v, ",") {
		u := strings.ToUpper(strings.TrimSpace(p))
		switch u {
		case "NEVER", "SUCCESS", "FAILURE", "DELAY":
		default:
			return usagef("option -N: %q is not never, success, failure or delay", p)
		}
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	if seen["NEVER"] && len(out) > 1 {
		return usagef("option -N: never cannot be combined with other values")
	}
	o.DSNNotify = out
	return nil
}

// oOption handles -oX...: -oi is -i; the rest (-oem, -odb, -om, ...) are
// sendmail configuration options with no meaning here.
func (o *Options) oOption(tail string) error {
	switch {
	case tail == "":
		return usagef("option -o needs a value (as in -oi)")
	case tail == "i":
		o.IgnoreDots = true
	default:
		o.Ignored = append(o.Ignored, "-o"+tail)
	}
	return nil
}

// mode handles -bX: -bm delivers, -bp lists the queue; others are refused.
func (o *Options) mode(tail string) error {
	switch tail {
	case "m":
		o.Mode = Deliver
	case "p":
		o.Mode = ListQueue
	case "":
		return usagef("option -b needs a mode (as in -bm)")
	case "s":
		return usagef("mode -bs (SMTP on standard input) is not supported: mapictl reads one message from standard input")
	case "d", "D":
		return usagef("mode -b%s (daemon) is not supported: mapictl is not a mail server", tail)
	default:
		return usagef("mode -b%s is not supported: only -bm (send) and -bp (list the queue) are", tail)
	}
	return nil
}

// check validates the whole command line once parsed.
func (o *Options) check() error {
	switch o.Mode {
	case ListQueue, FlushQueue:
		if len(o.Recipients) > 0 {
			return usagef("%s takes no recipients", map[Mode]string{ListQueue: "-bp", FlushQueue: "-q"}[o.Mode])
		}
	default:
		if len(o.Recipients) == 0 && !o.ExtractRecipients {
			return usagef("no recipients given: name them on the command line or pass -t")
		}
	}
	return nil
}
