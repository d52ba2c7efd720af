package inbound

// testOnlyCrashAt, when set by a test, is called at each named failpoint of
// a fetch ("after-write", "after-fsync", "after-intent", "after-link",
// "before-delete", "after-delete", "before-commit"); it panics, or kills
// the process, to simulate a crash there.
var testOnlyCrashAt func(point string)

func crashPoint(point string) {
	if testOnlyCrashAt != nil {
		testOnlyCrashAt(point)
	}
}
