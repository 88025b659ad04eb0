// Package bytesize writes a number of bytes the way people read it, in
// binary units: "16 MiB" for a limit that is a whole number of units,
// "1.4 GiB" for a measured size, "512 bytes" below a KiB. The one
// formatter for every message and display in paperseek.
package bytesize
