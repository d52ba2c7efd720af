package main

import "time"

// testOnlyNow replaces the clock; set only by the test binary (main_test.go)
// so that expiry can be tested without sleeping.
var testOnlyNow func() time.Time

func nowFunc() time.Time {
	if testOnlyNow != nil {
		return testOnlyNow()
	}
	return time.Now()
}
