package sendmail

import "fmt"

// Mode is what a sendmail invocation asks for.
type Mode int

const (
	// Deliver reads a message from standard input and submits it (-bm, the default).
	Deliver Mode = iota
	// ListQueue prints the queue (-bp, or the program name mailq).
	ListQueue
	// FlushQueue tries to deliver the queue now (-q).
	FlushQueue
	// Help prints the usage (--help) and does nothing else.
	Help
)

func (m Mode) String() string {
	switch m {
	case ListQueue:
		return "list-queue"
	case FlushQueue:
		return "flush-queue"
	case Help:
		return "help"
	}
	return "deliver"
}

// Options is a parsed sendmail command line. Recipients are the
// arguments after the options as written (one may hold several
// comma-separated addresses); the caller parses them as addresses.
type Options struct {
	Mode       Mode
	Recipients []string
	// ExtractRecipients (-t): also send to the To, Cc and Bcc fields.
	ExtractRecipients bool
	// IgnoreDots (-i, -oi): a line holding a lone "." does not end the message.
	IgnoreDots bool
	// Sender (-f, -r) is the envelope sender without angle brackets; ""
	// when not given. NullSender is true for -f '<>'.
	Sender     string
	NullSender bool
	// FullName (-F) is the display name used when the message has no From.
	FullName string
	// ReadEnvelopeFrom (--read-envelope-from): the envelope sender is the
	// From field's address when -f is not given.
	ReadEnvelopeFrom bool
	// DSN parameters: Notify (-N, upper case, "NEVER" alone or a subset of
	// SUCCESS, FAILURE, DELAY), Return (-R: FULL or HDRS), EnvID (-V) and
	// Body (-B: 7BIT or 8BITMIME).
	DSNNotify []string
	DSNReturn string
	EnvID     string
	Body      string
	// Section (--section) names the transport section to use.
	Section string
	// Verbose (-v) prints the SMTP dialogue.
	Verbose bool
	// Ignored lists the options accepted without effect, as written.
	Ignored []string
}

// UsageError is a command line sendmail would refuse (exit 64, EX_USAGE).
type UsageError struct {
	Msg string
}

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}
