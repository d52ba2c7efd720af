package main

import (
	"strings"

	"github.com/mapictl/mapictl/internal/secure"
)

// confirm asks a yes/no question on the terminal.
func confirm(question string) (bool, error) {
	ans, err := secure.ReadLine(question)
	if err != nil {
		return false, err
	}
	a := strings.ToLower(strings.TrimSpace(ans))
	return a == "y" || a == "yes", nil
}
