package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startCPUProfile writes a CPU profile of an index run to the file
// $PAPERSEEK_CPUPROFILE names, a debug aid for people tuning large
// imports (go tool pprof FILE). Unset, it does nothing. The returned stop
// ends the profile; it is safe to call more than once.
func startCPUProfile(errOut func(string)) (stop func()) {
	path := os.Getenv("PAPERSEEK_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		errOut(fmt.Sprintf("paperseek: cpu profile: %v", err))
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		errOut(fmt.Sprintf("paperseek: cpu profile: %v", err))
		return func() {}
	}
	stopped := false
	return func() {
		if stopped {
			return
		}
		stopped = true
		pprof.StopCPUProfile()
		f.Close()
	}
}
