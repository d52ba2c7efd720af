package mapi

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestCodeExits(t *testing.T) {
	tests := []struct {
		c       Code
		name    string
		hresult uint32
		exit    int
	}{
		{OK, "S_OK", 0, 0},
		{InvalidParameter, "MAPI_E_INVALID_PARAMETER", 0x80070057, 64},
		{CorruptData, "MAPI_E_CORRUPT_DATA", 0x8004011B, 65},
		{NotFound, "MAPI_E_NOT_FOUND", 0x8004010F, 66},
		{NetworkError, "MAPI_E_NETWORK_ERROR", 0x80040115, 69},
		{CallFailed, "MAPI_E_CALL_FAILED", 0x80004005, 70},
		{Collision, "MAPI_E_COLLISION", 0x80040604, 73},
		{DiskError, "MAPI_E_DISK_ERROR", 0x80040116, 74},
		{Busy, "MAPI_E_BUSY", 0x8004010B, 75},
		{LogonFailed, "MAPI_E_LOGON_FAILED", 0x80040111, 77},
		{NoAccess, "MAPI_E_NO_ACCESS", 0x80070005, 77},
		{Unconfigured, "MAPI_E_UNCONFIGURED", 0x8004011C, 78},
		{UserCancel, "MAPI_E_USER_CANCEL", 0x80040113, 130},
	}
	for _, tc := range tests {
		if tc.c.Name != tc.name || tc.c.HResult != tc.hresult || tc.c.Exit != tc.exit {
			t.Errorf("%s = %+v, want %s 0x%08X exit %d", tc.name, tc.c, tc.name, tc.hresult, tc.exit)
		}
		e := Errorf(tc.c, "failed %d", 1)
		if e.ExitStatus() != tc.exit {
			t.Errorf("Errorf(%s).ExitStatus() = %d, want %d", tc.name, e.ExitStatus(), tc.exit)
		}
		if e.Error() != "failed 1" {
			t.Errorf("Error() = %q", e.Error())
		}
	}
	if ExitRecipientsRejected != 67 || ExitQueued != 75 {
		t.Errorf("ExitRecipientsRejected, ExitQueued = %d, %d; want 67, 75", ExitRecipientsRejected, ExitQueued)
	}
}

func TestWithExitAndHints(t *testing.T) {
	e := Errorf(NotFound, "recipient refused")
	if e.ExitStatus() != 66 {
		t.Fatalf("default exit = %d, want 66", e.ExitStatus())
	}
	if got := e.WithExit(ExitRecipientsRejected); got != e || e.ExitStatus() != 67 {
		t.Errorf("WithExit(67): same=%v exit %d", got == e, e.ExitStatus())
	}
	n := Errorf(NetworkError, "queued").WithExit(ExitQueued)
	if n.ExitStatus() != 75 || n.Code != NetworkError {
		t.Errorf("queued network error: exit %d code %s", n.ExitStatus(), n.Code.Name)
	}
	h := Errorf(Unconfigured, "no password").WithHint("a", "b").WithHint("c")
	if len(h.Hints) != 3 || h.Hints[0] != "a" || h.Hints[2] != "c" {
		t.Errorf("Hints = %q", h.Hints)
	}
}

func TestWrapAndAsError(t *testing.T) {
	if AsError(nil) != nil {
		t.Error("AsError(nil) != nil")
	}
	plain := errors.New("boom")
	e := AsError(plain)
	if e.Code != CallFailed || e.ExitStatus() != 70 || e.Error() != "boom" || !errors.Is(e, plain) {
		t.Errorf("AsError(plain) = %+v, want MAPI_E_CALL_FAILED 70 wrapping it", e)
	}
	inner := Errorf(Collision, "profile exists")
	outer := fmt.Errorf("add: %w", inner)
	if got := AsError(outer); got != inner {
		t.Errorf("AsError(wrapped *Error) = %+v, want the inner *Error", got)
	}
	if !IsCode(outer, Collision) || IsCode(outer, NotFound) || IsCode(plain, CallFailed) || IsCode(nil, OK) {
		t.Error("IsCode gives wrong answers")
	}
	w := Wrap(DiskError, fs.ErrPermission, "write profile")
	if w.Error() != "write profile: permission denied" || !errors.Is(w, fs.ErrPermission) || w.ExitStatus() != 74 {
		t.Errorf("Wrap = %q exit %d", w.Error(), w.ExitStatus())
	}
	if got := Wrap(Busy, nil, "locked"); got.Error() != "locked" || got.Unwrap() != nil {
		t.Errorf("Wrap(nil) = %q", got.Error())
	}
}
