//go:build !windows

package atomicfile

import "os"

// SyncDir makes the entries of dir durable: a rename, a new file or a
// hard link in it survives a power cut once SyncDir returns.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
