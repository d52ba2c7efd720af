package inbound

// testOnlyCrashAt, when set by a test, is called at each named failpoint of
// a fetch ("after-write", "after-fsync", "after-intent", "between-links",
// "after-link", "after-deliveries", "before-delete", "after-delete",
// "before-commit"); it panics, or kills the process, to simulate a crash
// there. The batch's points ("after-fsync" to "after-deliveries") may be
// hit on the idle timer's goroutine: a panic there is raised again in the
// fetching goroutine before it touches the journal again.
var testOnlyCrashAt func(point string)

func crashPoint(point string) {
	if testOnlyCrashAt != nil {
		testOnlyCrashAt(point)
	}
}
