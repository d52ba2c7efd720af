package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"unicode"
)

const defaultSendmail = "/usr/sbin/sendmail"

// sendmailTransport pipes each message into a sendmail-compatible program.
type sendmailTransport struct {
	prog string // resolved path
}

// newSendmail resolves the program and refuses (KindConfig) one that is
// the running mapictl itself, so installing mapictl as sendmail cannot loop.
func newSendmail(cfg Config) (*sendmailTransport, error) {
	p := cfg.SendmailPath
	if p == "" {
		p = defaultSendmail
	}
	prog, err := exec.LookPath(p)
	if err != nil {
		e := configErr(fmt.Sprintf("sendmail program %q not found", p))
		e.Err = err
		return nil, e
	}
	self := cfg.SelfExe
	if self == "" {
		if self, err = os.Executable(); err != nil {
			self = ""
		}
	}
	if self != "" && sameFile(prog, self) {
		return nil, configErr(fmt.Sprintf("sendmail program %q is mapictl itself", p))
	}
	return &sendmailTransport{prog: prog}, nil
}

// sameFile reports whether a and b, symlinks followed, are the same file.
func sameFile(a, b string) bool {
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	if err1 != nil || err2 != nil {
		return false
	}
	sa, err1 := os.Stat(ra)
	sb, err2 := os.Stat(rb)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// Send runs "PROG -i [-f FROM] [-N ..] [-R ..] [-V ..] [-B ..] -- RCPT..."
// with msg on stdin and the environment minus every MAPICTL_* variable.
// Exit statuses map as [sysexitKind] says; the child's stderr (first 500
// bytes, sanitised) is part of the error message. Errors are *Error of
// stage "deliver".
func (s *sendmailTransport) Send(ctx context.Context, env *Envelope, msg []byte) (*Result, error) {
	if err := checkEnvelope(env); err != nil {
		return nil, err
	}
	if len(env.To) == 0 {
		return nil, &Error{Kind: KindPermanent, Stage: StageRcpt, Message: "no recipients"}
	}
	cmd := exec.CommandContext(ctx, s.prog, sendmailArgs(env)...)
	cmd.Env = childEnv(os.Environ())
	cmd.Stdin = bytes.NewReader(msg)
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err == nil {
		return &Result{Accepted: append([]string(nil), env.To...)}, nil
	}
	e := &Error{Stage: StageDeliver, Err: err}
	var xe *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return nil, classify(ctx, StageDeliver, ctx.Err())
	case errors.As(err, &xe):
		code := xe.ExitCode()
		e.Kind = sysexitKind(code)
		e.Message = fmt.Sprintf("%s exited with status %d", filepath.Base(s.prog), code)
		if code < 0 {
			e.Message = fmt.Sprintf("%s was killed (%s)", filepath.Base(s.prog), xe.ProcessState)
		}
	default:
		e.Kind = KindConfig
		e.Message = fmt.Sprintf("cannot run %q: %v", s.prog, err)
	}
	if out := sanitise(stderr.b.Bytes()); out != "" {
		e.Message += ": " + out
	}
	return nil, e
}

// Close does nothing.
func (s *sendmailTransport) Close() error { return nil }

// sysexitKind maps a sendmail exit status: 75 and 74 (I/O error) and death
// by signal are temporary, 78 is a configuration error, everything else
// permanent (77, EX_NOPERM, included: it is not a credentials problem).
func sysexitKind(code int) Kind {
	switch code {
	case -1, 74, 75:
		return KindTemporary
	case 78:
		return KindConfig
	}
	return KindPermanent
}

func sendmailArgs(env *Envelope) []string {
	args := []string{"-i"}
	if env.From != "" {
		args = append(args, "-f", env.From)
	}
	if len(env.DSNNotify) > 0 {
		args = append(args, "-N", strings.ToLower(strings.Join(env.DSNNotify, ",")))
	}
	if env.DSNReturn != "" {
		args = append(args, "-R", strings.ToLower(env.DSNReturn))
	}
	if env.EnvID != "" {
		args = append(args, "-V", env.EnvID)
	}
	if env.Body != "" {
		args = append(args, "-B", strings.ToUpper(env.Body))
	}
	return append(append(args, "--"), env.To...)
}

// childEnv drops every MAPICTL_* variable.
func childEnv(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "MAPICTL_") {
			out = append(out, kv)
		}
	}
	return out
}

// limitedBuffer keeps the first 500 bytes written to it.
type limitedBuffer struct{ b bytes.Buffer }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := 500 - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// sanitise makes program output one printable line.
func sanitise(b []byte) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		if !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(string(b), "?"))
	return strings.Join(strings.Fields(s), " ")
}
