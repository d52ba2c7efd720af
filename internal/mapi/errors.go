package mapi

import (
	"errors"
	"fmt"
)

// Code is a MAPI error code: its name, its HRESULT and the process exit
// status (sysexits) a failure of this kind ends with by default.
type Code struct {
	Name    string
	HResult uint32
	Exit    int
}

// The codes mapictl reports, with their default exit statuses (SPEC §9).
var (
	OK               = Code{"S_OK", 0x00000000, 0}
	InvalidParameter = Code{"MAPI_E_INVALID_PARAMETER", 0x80070057, 64}
	CorruptData      = Code{"MAPI_E_CORRUPT_DATA", 0x8004011B, 65}
	NotFound         = Code{"MAPI_E_NOT_FOUND", 0x8004010F, 66}
	NetworkError     = Code{"MAPI_E_NETWORK_ERROR", 0x80040115, 69}
	CallFailed       = Code{"MAPI_E_CALL_FAILED", 0x80004005, 70}
	Collision        = Code{"MAPI_E_COLLISION", 0x80040604, 73}
	DiskError        = Code{"MAPI_E_DISK_ERROR", 0x80040116, 74}
	Busy             = Code{"MAPI_E_BUSY", 0x8004010B, 75}
	LogonFailed      = Code{"MAPI_E_LOGON_FAILED", 0x80040111, 77}
	NoAccess         = Code{"MAPI_E_NO_ACCESS", 0x80070005, 77}
	Unconfigured     = Code{"MAPI_E_UNCONFIGURED", 0x8004011C, 78}
	UserCancel       = Code{"MAPI_E_USER_CANCEL", 0x80040113, 130}
)

// Exit statuses that no code has as its default.
const (
	ExitRecipientsRejected = 67 // some recipients refused by the server
	ExitQueued             = 75 // queued for retry
)

// Error is a failure with a MAPI code. Its message is safe to print: it
// never holds a secret. Exit overrides Code.Exit when non-zero.
type Error struct {
	Code  Code
	Exit  int
	Msg   string
	Hints []string
	Err   error

	// Detail is the failing layer's own account of the failure, for the
	// printer (e.g. a transport's stage and reply codes in -o json, SPEC
	// §9); nil when there is none. mapi never looks into it.
	Detail any
}

// Errorf returns an *Error with code c and a formatted message.
func Errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Msg: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with code c whose message is msg followed by err's.
func Wrap(c Code, err error, msg string) *Error {
	m := msg
	if err != nil {
		m = msg + ": " + err.Error()
	}
	return &Error{Code: c, Msg: m, Err: err}
}

func (e *Error) Error() string { return e.Msg }

func (e *Error) Unwrap() error { return e.Err }

// WithHint appends hint lines and returns e.
func (e *Error) WithHint(hints ...string) *Error {
	e.Hints = append(e.Hints, hints...)
	return e
}

// WithExit sets the exit status and returns e.
func (e *Error) WithExit(n int) *Error {
	e.Exit = n
	return e
}

// ExitStatus is the process exit status for e.
func (e *Error) ExitStatus() int {
	if e.Exit != 0 {
		return e.Exit
	}
	return e.Code.Exit
}

// AsError returns the *Error in err's chain, or an internal-error
// (MAPI_E_CALL_FAILED) wrapper when there is none. It returns nil for nil.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CallFailed, Msg: err.Error(), Err: err}
}

// IsCode reports whether err's chain holds an *Error with code c.
func IsCode(err error, c Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == c
}
