package oauth

import (
	"context"
	"slices"
)

// heal re-seals the file r was read from when r records a recipient that
// Recipients no longer returns (a session logged off or expired), or
// records none (a file written before they were recorded): so a dead
// session's key is dropped by the next process that opens the file, not
// only at its next refresh. The usual case, no recipient dropped, takes no
// lock and writes nothing (one Recipients call, a set comparison). It
// returns the file as it is after: re-read under the lock when it took it.
func (s *Source) heal(ctx context.Context, r *record) (*record, error) {
	if s.Recipients == nil {
		return r, nil
	}
	rs, err := s.recipients()
	if err != nil {
		return nil, err
	}
	if !dropped(r.Recipients, rs) {
		return r, nil
	}
	fl, err := lock(ctx, s.Path, s.timeout())
	if err != nil {
		return nil, s.inSection(err)
	}
	defer unlock(fl)
	if r, err = s.read(); err != nil {
		return nil, err
	}
	if err := s.check(r); err != nil {
		return nil, err
	}
	if rs, err = s.recipients(); err != nil {
		return nil, err
	}
	if !dropped(r.Recipients, rs) {
		return r, nil // another process re-sealed it meanwhile
	}
	if err := writeFile(s.Path, r, rs); err != nil {
		return nil, s.inSection(err)
	}
	return r, nil
}

// dropped reports whether recorded (nil: unknown) holds a recipient that
// now does not.
func dropped(recorded, now []string) bool {
	if recorded == nil {
		return true
	}
	for _, x := range recorded {
		if !slices.Contains(now, x) {
			return true
		}
	}
	return false
}
