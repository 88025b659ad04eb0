//go:build !windows

package vectors

import "os"

// syncDir makes the directory entries (renames, links) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
