package account

// Ask returns a [Resolver] Prompt that asks with line and secret (the
// caller's terminal prompts) for what an account without stored
// credentials needs: "Username for NAME: " unless stored holds a username,
// then "Password for NAME: ". The first error stops it and is returned
// with the credentials as far as they were asked.
func Ask(line func(prompt string) (string, error), secret func(prompt string) ([]byte, error)) func(*Account, Credentials) (Credentials, error) {
	return func(a *Account, creds Credentials) (Credentials, error) {
		if creds.Username == "" {
			u, err := line("Username for " + a.Name + ": ")
			if err != nil {
				return creds, err
			}
			creds.Username = u
		}
		pw, err := secret("Password for " + a.Name + ": ")
		if err != nil {
			return creds, err
		}
		creds.Password = string(pw)
		return creds, nil
	}
}
