package sendmail

// Why this parser is hand-written (issue 26). A sendmail command line is
// not a pflag or getopt one, and callers (git send-email, mutt, cron,
// mailx) write it as sendmail, Postfix and msmtp accept it:
//   - -oX and -bX are option families whose letter must be attached: -oi
//     is -i, -oem and -odb are accepted without effect, -bm/-bp choose the
//     mode and -bs, -bd, -bi are refused with a reason; a bare -o or -b is
//     an error, never "take the next argument" as pflag and getopt do.
//   - -q takes an optional attached interval (-q30m); pflag attaches an
//     optional value only with "=" (-q=30m) and getopt only as a GNU
//     extension.
//   - -f, -r, -F, -N, -R, -V, -B (and -h, -L, -O, -C, -X, accepted without
//     effect) take a value attached or as the next argument, also at the
//     end of a bundle (-tifme@x); -f '<>' is the null sender. pflag can
//     express this part, except that it reads -f=x as "x", not "=x".
//   - -e and -A need an attached value (-em, -Am) and are accepted without
//     effect, as are -U, -m, -n and -G; any other letter is refused (64),
//     so a mistyped option does not become a silently ignored one.
//   - --help returns at once (the rest is neither parsed nor checked);
//     pflag parses on and would refuse a line sendmail's help accepts.
//   - Options end at "--" or at the first argument that is not an option
//     (a recipient such as "-x@example.com" after "--").
//
// pflag_test.go holds this parser to pflag on the subset pflag can
// express (bundled booleans, value letters attached or separate, --section,
// --read-envelope-from, --help last, "--" and recipients), by enumeration
// and by a fuzz target: same options, same values in the same order, same
// recipients, and a refusal on one side only when the other refuses too.

import (
	"strings"
)

// Parse parses args (the command line after the program name) as sendmail
// does. name is the program name: "mailq" starts in ListQueue mode. It
// returns a *UsageError for an unknown option, a missing or bad value, a
// mode other than -bm/-bp (-bs, -bd, -bi, ...), recipients given to -bp or
// -q, and a message with no recipient (none given and no -t). --help among
// the options returns Mode Help at once: the rest is neither parsed nor checked.
func Parse(name string, args []string) (*Options, error) {
	o := &Options{}
	if name == "mailq" {
		o.Mode = ListQueue
	}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		if strings.HasPrefix(a, "--") {
			n, err := o.long(a, args[i+1:])
			if err != nil {
				return nil, err
			}
			if o.Mode == Help {
				return &Options{Mode: Help}, nil
			}
			i += n
			continue
		}
		n, err := o.short(a, args[i+1:])
		if err != nil {
			return nil, err
		}
		i += n
	}
	o.Recipients = append(o.Recipients, args[i:]...)
	return o, o.check()
}

// long handles --read-envelope-from, --section and --help; it returns how
// many of the following arguments it consumed.
func (o *Options) long(a string, rest []string) (int, error) {
	key, val, hasVal := strings.Cut(a, "=")
	switch key {
	case "--help":
		if hasVal {
			return 0, usagef("option --help takes no value")
		}
		o.Mode = Help
		return 0, nil
	case "--read-envelope-from":
		if hasVal {
			return 0, usagef("option --read-envelope-from takes no value")
		}
		o.ReadEnvelopeFrom = true
		return 0, nil
	case "--section":
		n := 0
		if !hasVal {
			if len(rest) == 0 {
				return 0, usagef("option --section needs a section name")
			}
			val, n = rest[0], 1
		}
		if val == "" {
			return 0, usagef("option --section needs a section name")
		}
		o.Section = val
		return n, nil
	}
	return 0, usagef("unknown option %s", key)
}

// Letters that take a value, attached or as the next argument.
const valueLetters = "frFNRVBhLOCX"

// short handles one "-xyz" argument: flags may be bundled (-ti) until a
// letter that takes a value, which takes the rest of the argument or the
// next one. It returns how many following arguments it consumed.
func (o *Options) short(a string, rest []string) (int, error) {
	for j := 1; j < len(a); j++ {
		c := a[j]
		tail := a[j+1:]
		switch c {
		case 't':
			o.ExtractRecipients = true
			continue
		case 'i':
			o.IgnoreDots = true
			continue
		case 'v':
			o.Verbose = true
			continue
		case 'U', 'm', 'n', 'G':
			o.Ignored = append(o.Ignored, "-"+string(c))
			continue
		case 'o':
			return 0, o.oOption(tail)
		case 'b':
			return 0, o.mode(tail)
		case 'q':
			o.Mode = FlushQueue
			if tail != "" {
				o.Ignored = append(o.Ignored, "-q"+tail)
			}
			return 0, nil
		case 'e', 'A':
			// -em, -ep (error mode), -Ac/-Am (submission config): no meaning here.
			if tail == "" {
				return 0, usagef("option -%c needs a value", c)
			}
			o.Ignored = append(o.Ignored, "-"+string(c)+tail)
			return 0, nil
		}
		if !strings.ContainsRune(valueLetters, rune(c)) {
			return 0, usagef("unknown option -%c", c)
		}
		n := 0
		val := tail
		if val == "" {
			if len(rest) == 0 {
				return 0, usagef("option -%c needs a value", c)
			}
			val, n = rest[0], 1
		}
		return n, o.value(c, val)
	}
	return 0, nil
}
