package secure

// UsesStoreIdentity reports whether a run decrypts with the store's own
// identity file (identity.txt) rather than one it was given: true exactly
// when no --identity file is given (files is empty) and getenv returns ""
// for both MAPICTL_IDENTITY and MAPICTL_IDENTITY_FILE. It is the rule by
// which [LoadIdentities] reaches its last tier (SPEC §4: --identity, else
// the environment, else the store; never mixed), for callers that must
// know the answer before or without loading: a command that writes the
// store's recipient as an owner, a dry run that may not prompt, and the
// hint for a passphrase-locked store identity. getenv is os.Getenv in
// mapictl; a variable set to the empty string counts as unset.
func UsesStoreIdentity(files []string, getenv func(string) string) bool {
	return len(files) == 0 && getenv("MAPICTL_IDENTITY") == "" && getenv("MAPICTL_IDENTITY_FILE") == ""
}
