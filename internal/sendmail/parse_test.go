package sendmail

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseRealCommandLines(t *testing.T) {
	tests := []struct {
		name string
		prog string
		args string
		want Options
	}{
		{"git send-email", "sendmail", "-i dana@example.com li@example.com",
			Options{IgnoreDots: true, Recipients: []string{"dana@example.com", "li@example.com"}}},
		{"git send-email with envelope sender", "sendmail", "-i -f me@example.com dana@example.com",
			Options{IgnoreDots: true, Sender: "me@example.com", Recipients: []string{"dana@example.com"}}},
		{"mutt", "sendmail", "-oem -oi -f me@example.com -- dana@example.com -x@example.com",
			Options{IgnoreDots: true, Sender: "me@example.com", Ignored: []string{"-oem"},
				Recipients: []string{"dana@example.com", "-x@example.com"}}},
		{"mutt with DSN", "sendmail", "-oem -oi -N failure,delay -R hdrs -- dana@example.com",
			Options{IgnoreDots: true, DSNNotify: []string{"FAILURE", "DELAY"}, DSNReturn: "HDRS",
				Ignored: []string{"-oem"}, Recipients: []string{"dana@example.com"}}},
		{"cron (cronie)", "sendmail", "-FCronDaemon -i -B8BITMIME -oem root",
			Options{FullName: "CronDaemon", IgnoreDots: true, Body: "8BITMIME", Ignored: []string{"-oem"},
				Recipients: []string{"root"}}},
		{"debian cron", "sendmail", "-i -FCronDaemon -B8BITMIME -oem root",
			Options{FullName: "CronDaemon", IgnoreDots: true, Body: "8BITMIME", Ignored: []string{"-oem"},
				Recipients: []string{"root"}}},
		{"mailx -t", "sendmail", "-t", Options{ExtractRecipients: true}},
		{"bundled -ti", "sendmail", "-ti", Options{ExtractRecipients: true, IgnoreDots: true}},
		{"bsd-mailx", "sendmail", "-i -- dana@example.com", Options{IgnoreDots: true, Recipients: []string{"dana@example.com"}}},
		{"attached -f", "sendmail", "-fme@example.com -t", Options{Sender: "me@example.com", ExtractRecipients: true}},
		{"-r angle brackets", "sendmail", "-r <me@example.com> x@example.com", Options{Sender: "me@example.com", Recipients: []string{"x@example.com"}}},
		{"null sender", "sendmail", "-f <> x@example.com", Options{NullSender: true, Recipients: []string{"x@example.com"}}},
		{"msmtp style", "sendmail", "--read-envelope-from -t", Options{ReadEnvelopeFrom: true, ExtractRecipients: true}},
		{"section", "sendmail", "--section work -t", Options{Section: "work", ExtractRecipients: true}},
		{"section=", "sendmail", "--section=work x@example.com", Options{Section: "work", Recipients: []string{"x@example.com"}}},
		{"-V envid and -N never", "sendmail", "-V abc.123 -N never x@example.com",
			Options{EnvID: "abc.123", DSNNotify: []string{"NEVER"}, Recipients: []string{"x@example.com"}}},
		{"ignored options", "sendmail", "-odi -om -U -h 17 -L tag -O DeliveryMode=b -Am -em -v x@example.com",
			Options{Verbose: true, Recipients: []string{"x@example.com"},
				Ignored: []string{"-odi", "-om", "-U", "-h 17", "-L tag", "-O DeliveryMode=b", "-Am", "-em"}}},
		{"-bm", "sendmail", "-bm x@example.com", Options{Recipients: []string{"x@example.com"}}},
		{"-bp", "sendmail", "-bp", Options{Mode: ListQueue}},
		{"mailq", "mailq", "", Options{Mode: ListQueue}},
		{"-q", "sendmail", "-q", Options{Mode: FlushQueue}},
		{"-q30m", "sendmail", "-q30m", Options{Mode: FlushQueue, Ignored: []string{"-q30m"}}},
		{"stops at first recipient", "sendmail", "x@example.com -t", Options{Recipients: []string{"x@example.com", "-t"}}},
		{"lone dash is a recipient", "sendmail", "-t -", Options{ExtractRecipients: true, Recipients: []string{"-"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.prog, strings.Fields(tt.args))
			if err != nil {
				t.Fatalf("Parse(%q) = %v", tt.args, err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("Parse(%q) =\n%+v\nwant\n%+v", tt.args, *got, tt.want)
			}
		})
	}
}

func TestParseRefused(t *testing.T) {
	tests := []struct{ args, msg string }{
		{"-x a@example.com", "unknown option -x"},
		{"-tz a@example.com", "unknown option -z"},
		{"--verbose a@example.com", "unknown option --verbose"},
		{"-bs", "-bs (SMTP on standard input) is not supported"},
		{"-bd", "daemon"},
		{"-bi", "mode -bi is not supported"},
		{"-b", "needs a mode"},
		{"-o", "needs a value"},
		{"-i", "no recipients given"},
		{"", "no recipients given"},
		{"-f", "option -f needs a value"},
		{"-f 'a b' x@example.com", "invalid sender"},
		{"-N sometimes x@example.com", `"sometimes" is not never`},
		{"-N never,success x@example.com", "never cannot be combined"},
		{"-R body x@example.com", `"body" is not full or hdrs`},
		{"-B binarymime x@example.com", "is not 7BIT or 8BITMIME"},
		{"-V a=b x@example.com", "envelope id"},
		{"-bp x@example.com", "-bp takes no recipients"},
		{"-q x@example.com", "-q takes no recipients"},
		{"--section", "needs a section name"},
		{"--section= x@example.com", "needs a section name"},
		{"--read-envelope-from=yes -t", "takes no value"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			args := strings.Fields(tt.args)
			if tt.args == "-f 'a b' x@example.com" {
				args = []string{"-f", "a b", "x@example.com"}
			}
			_, err := Parse("sendmail", args)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q) = %v, want a *UsageError", tt.args, err)
			}
			if !strings.Contains(ue.Msg, tt.msg) {
				t.Errorf("Parse(%q) = %q, want it to contain %q", tt.args, ue.Msg, tt.msg)
			}
		})
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[Mode]string{Deliver: "deliver", ListQueue: "list-queue", FlushQueue: "flush-queue"} {
		if m.String() != want {
			t.Errorf("%d.String() = %q, want %q", m, m.String(), want)
		}
	}
}
