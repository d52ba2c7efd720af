// Package sendmail holds mapictl's sendmail front end rules: it parses a
// sendmail command line the way sendmail, Postfix and msmtp accept it
// (parse.go says why by hand), reads the message a sendmail caller writes
// to standard input, and decides the submission's envelope (sender and
// recipients), the From field of a message without one, and the transport
// section a sender's address picks (rules.go); it completes the message into
// the spool's payload (submit.go) and says when a submission left queued is
// a warning rather than an error (report.go). It is pure: it touches no
// file, environment or network, so the same table of real-world command
// lines (git send-email, mutt, cron, mailx) tests it completely.
//
// Options are single-dash letters whose value may be attached or the next
// argument (-fme@x or -f me@x; -oi, -oem, -B8BITMIME); parsing stops at the
// first argument that is not an option, or after "--" (POSIX getopt, as
// Postfix's sendmail). The long options are --read-envelope-from,
// --section NAME and --section=NAME.
package sendmail
