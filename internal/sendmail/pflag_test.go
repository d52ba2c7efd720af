package sendmail

import (
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// The contract of parse.go's hand-written syntax: on every command line
// made only of what pflag can express (bundled boolean letters, a value
// letter with its value attached or as the next argument, --section with
// "=" or a separate value, long booleans, "--", and recipients after the
// options), Parse and pflag agree on which option gets which value, in
// which order, and where the recipients begin; and one refuses a line only
// when the other does too. Values are given meaning by the same
// Options.value on both sides: this holds the syntax, not the value rules
// (parse_test.go and control_test.go hold those).

// letterValue hands pflag's raw value of option letter c to Options.value,
// so ordering and last-wins behave as in Parse.
type letterValue struct {
	o *Options
	c byte
}

func (v letterValue) Set(s string) error { return v.o.value(v.c, s) }
func (v letterValue) String() string     { return "" }
func (v letterValue) Type() string       { return "string" }

// ignoredFlag records a boolean letter accepted without effect (-U, -m, ...).
type ignoredFlag struct {
	o *Options
	c byte
}

func (v ignoredFlag) Set(string) error {
	v.o.Ignored = append(v.o.Ignored, "-"+string(v.c))
	return nil
}
func (v ignoredFlag) String() string { return "" }
func (v ignoredFlag) Type() string   { return "bool" }

// sectionValue is --section: a name that is not empty.
type sectionValue struct{ o *Options }

func (v sectionValue) Set(s string) error {
	if s == "" {
		return errors.New("option --section needs a section name")
	}
	v.o.Section = s
	return nil
}
func (v sectionValue) String() string { return "" }
func (v sectionValue) Type() string   { return "string" }

// pflagParse parses args with pflag, set up as the sendmail syntax it can
// express, then runs the same final check as Parse.
func pflagParse(args []string) (*Options, error) {
	o := &Options{}
	fs := pflag.NewFlagSet("sendmail", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SetInterspersed(false) // options end at the first recipient, as getopt's "+"
	fs.BoolVarP(&o.ExtractRecipients, "extract-recipients", "t", false, "")
	fs.BoolVarP(&o.IgnoreDots, "ignore-dots", "i", false, "")
	fs.BoolVarP(&o.Verbose, "verbose", "v", false, "")
	for _, c := range []byte("Umn" + "G") {
		fl := fs.VarPF(ignoredFlag{o, c}, "ignored-"+string(c), string(c), "")
		fl.NoOptDefVal = "true"
	}
	for _, c := range []byte(valueLetters) {
		fs.VarP(letterValue{o, c}, "letter-"+string(c), string(c), "")
	}
	fs.Var(sectionValue{o}, "section", "")
	fs.BoolVar(&o.ReadEnvelopeFrom, "read-envelope-from", false, "")
	help := fs.Bool("help", false, "")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *help {
		return &Options{Mode: Help}, nil
	}
	o.Recipients = append(o.Recipients, fs.Args()...)
	return o, o.check()
}

// Value pools per letter: valid values, and a few each side must refuse.
var pflagValues = map[byte][]string{
	'f': {"me@example.com", "<me@example.com>", "<>", " x@example.org ", "-dash@example.com", "a b", ""},
	'r': {"bounce@example.com", "<>"},
	'F': {"Cron Daemon", "CronDaemon", "--", "-", "", "Tab\tName"},
	'N': {"FAILURE,DELAY", "never", "success", "sometimes", "never,success"},
	'R': {"hdrs", "FULL", "body"},
	'V': {"abc.123", "a=b", "x"},
	'B': {"8BITMIME", "7bit", "binarymime"},
	'h': {"17"}, 'L': {"tag"}, 'O': {"DeliveryMode=b"}, 'C': {"/etc/mail.cf"}, 'X': {"/tmp/log"},
}

var pflagRecipients = []string{"x@example.com", "root", "a@example.org, b@example.org", "-", ""}
var pflagLaterRecipients = append([]string{"-t", "--help", "-f", "--", "--section=x"}, pflagRecipients...)

// genArgs builds a command line in the common subset, each choice made by
// pick(n) in [0, n).
func genArgs(pick func(n int) int) []string {
	var args []string
	help := false
	nopts := pick(7)
	for k := 0; k < nopts && !help; k++ {
		switch pick(8) {
		case 0, 1, 2: // bundle of booleans, maybe ending in a value letter
			a := "-"
			for n := 1 + pick(3); n > 0; n-- {
				a += string("tivUmnG"[pick(7)])
			}
			if pick(2) == 0 {
				args = append(args, a)
				continue
			}
			args = append(args, valueOption(pick, a)...)
		case 3, 4: // a value letter alone
			args = append(args, valueOption(pick, "-")...)
		case 5:
			names := []string{"work", "--", "-x", ""}
			name := names[pick(len(names))]
			if pick(2) == 0 {
				args = append(args, "--section="+name)
			} else {
				args = append(args, "--section", name)
			}
		case 6:
			args = append(args, "--read-envelope-from")
		case 7:
			// Last among the options: Parse stops at --help and checks
			// nothing after it, pflag parses on.
			if pick(4) == 0 {
				args = append(args, "--help")
				help = true
			}
		}
	}
	if !help && pick(8) == 0 {
		// A value letter with no value left: both refuse.
		return append(args, "-"+string(valueLetters[pick(len(valueLetters))]))
	}
	dash := pick(3) == 0
	if dash {
		args = append(args, "--")
	}
	for n, k := pick(4), 0; k < n; k++ {
		pool := pflagLaterRecipients
		if k == 0 && !dash {
			pool = pflagRecipients
		}
		args = append(args, pool[pick(len(pool))])
	}
	return args
}

// valueOption appends a value letter and its value to prefix ("-" or a
// bundle): attached, or as the next argument. An attached value never
// starts with "=" (pflag reads -f=x as x; sendmail as "=x").
func valueOption(pick func(n int) int, prefix string) []string {
	c := valueLetters[pick(len(valueLetters))]
	pool := pflagValues[c]
	v := pool[pick(len(pool))]
	if v != "" && !strings.HasPrefix(v, "=") && pick(2) == 0 {
		return []string{prefix + string(c) + v}
	}
	return []string{prefix + string(c), v}
}

// checkAgainstPflag parses args both ways and reports a disagreement.
func checkAgainstPflag(t *testing.T, args []string) {
	t.Helper()
	got, err := Parse("sendmail", args)
	want, perr := pflagParse(args)
	if (err == nil) != (perr == nil) {
		t.Fatalf("%q: Parse error %v, pflag error %v", args, err, perr)
	}
	if err != nil {
		var ue *UsageError
		if !errors.As(err, &ue) {
			t.Fatalf("%q: Parse error %v is not a *UsageError", args, err)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\nParse %+v\npflag %+v", args, *got, *want)
	}
}

func TestParseAgainstPflag(t *testing.T) {
	r := rand.New(rand.NewPCG(26, 8))
	for range 5000 {
		checkAgainstPflag(t, genArgs(r.IntN))
	}
	// Lines from parse_test.go that lie in the common subset.
	for _, s := range []string{"-i dana@example.com li@example.com", "-i -f me@example.com dana@example.com",
		"-ti", "-t", "-fme@example.com -t", "--read-envelope-from -t", "--section work -t",
		"--section=work x@example.com", "x@example.com -t", "-t -", "-U -h 17 -L tag -v x@example.com"} {
		checkAgainstPflag(t, strings.Fields(s))
	}
}

// FuzzParseAgainstPflag: the same contract on command lines the fuzzer
// drives through genArgs, one byte per choice (0 once they run out).
func FuzzParseAgainstPflag(f *testing.F) {
	for _, s := range []string{"", "\x03\x00\x01\x02", "\x06\x03\x01\x00\x05\x01\x02\x00\x02\x03", "\x01\x07\x00\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pick := func(n int) int {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return int(b) % n
		}
		checkAgainstPflag(t, genArgs(pick))
	})
}
