// Package atomicfile replaces files the way restic writes its repository:
// the new content goes to a temporary file in the same directory, is
// synced, renamed over the old file, and the directory is synced so the
// rename itself survives a power cut. A crash at any moment leaves the old
// content or the new one, never a torn file. Every durable write in
// paperseek (manifest, vector set, local model, embedding cache header)
// goes through here.
package atomicfile
