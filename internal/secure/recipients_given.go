package secure

import "slices"

// ResolveRecipients returns the recipients a command was given: each of
// list normalized ([NormalizeRecipient]), then those of the recipients
// file named by file ([ParseRecipientsFile]) when it is not "". Errors are
// theirs; the first ends it.
func ResolveRecipients(list []string, file string) ([]string, error) {
	var out []string
	for _, r := range list {
		n, err := NormalizeRecipient(r)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	if file != "" {
		rs, err := ParseRecipientsFile(file)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// MergeRecipients returns own followed by each of extra that is not
// already there, in order, and [CheckMix]'s error for the result. own is
// not modified.
func MergeRecipients(own, extra []string) ([]string, error) {
	out := slices.Clone(own)
	for _, r := range extra {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if err := CheckMix(out); err != nil {
		return nil, err
	}
	return out, nil
}
