package atomicfile

// SyncDir does nothing on Windows: directories cannot be opened for
// syncing there, and NTFS journals renames itself.
func SyncDir(string) error { return nil }
