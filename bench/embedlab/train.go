package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/paperseek/paperseek/embed/local"
	"github.com/paperseek/paperseek/index/ingest"
)

// trainOnly is the -train mode: it reads every paper of an input file (any
// format index/ingest reads) into memory, then times local.Train alone on
// it and prints wall time, CPU time (user+sys of this process during
// training), the peak RSS of the process and the SHA-256 of the saved
// model, so two builds can be compared run against run (equal digests:
// identical models). -cpuprofile writes a CPU profile of the training.
func trainOnly(ctx context.Context, path, profile string, opts local.Options) error {
	r, err := ingest.Open(path)
	if err != nil {
		return err
	}
	var texts []string
	for {
		p, err := r.Next()
		var rec *ingest.RecordError
		if errors.Is(err, io.EOF) {
			break
		} else if errors.As(err, &rec) {
			continue
		} else if err != nil {
			r.Close()
			return err
		}
		texts = append(texts, p.Text())
	}
	r.Close()
	runtime.GC()
	rss0 := peakRSS()
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	cpu0 := cpuTime()
	start := time.Now()
	m, err := local.Train(ctx, local.TextsCorpus(texts), opts)
	if err != nil {
		return err
	}
	wall := time.Since(start)
	cpu := cpuTime() - cpu0
	if profile != "" {
		pprof.StopCPUProfile()
	}
	dir, err := os.MkdirTemp("", "embedlab-train")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	mp := filepath.Join(dir, "model.bin")
	if err := m.Save(mp); err != nil {
		return err
	}
	b, err := os.ReadFile(mp)
	if err != nil {
		return err
	}
	fmt.Printf("train %d papers: wall %.1fs cpu %.1fs peak-rss %d MB (%d MB before training) words %d dims %d model %x\n",
		len(texts), wall.Seconds(), cpu.Seconds(), peakRSS()>>20, rss0>>20, m.Vocabulary(), m.Dimensions(), sha256.Sum256(b))
	return nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's high-water resident set size in bytes.
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return int64(ru.Maxrss) << 10 // KiB; int32 on 32-bit Linux
}
