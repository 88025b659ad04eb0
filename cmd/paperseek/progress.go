package main

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/paperseek/paperseek/index/harvest"
)

// progress draws a one-line progress bar on stderr while indexing, only
// when stderr is a terminal: reading (papers/s and an ETA from the bytes
// read), then training and embedding. It redraws at most every 200ms.
type progress struct {
	mu         sync.Mutex
	io         *IOStreams
	on         bool
	totalBytes int64
	inputs     []*countingReader // every input of the run: bytes read = their sum, whatever order they are read in
	n          int
	start      time.Time
	last       time.Time
	phaseName  string
	phaseDone  int
	phaseTotal int
	phaseStart time.Time
	drawn      bool
	// A sync's harvest (sync_cmd.go).
	harvest      harvest.Progress
	harvestStart time.Time
	harvestDone0 int
}

func newProgress(io *IOStreams, totalBytes int64, inputs []*countingReader) *progress {
	now := time.Now()
	return &progress{io: io, on: io.ProgressEnabled(), totalBytes: totalBytes, inputs: inputs, start: now}
}

// trace prints phase timings to stderr when PAPERSEEK_DEBUG is set: where
// an index run spends its time, for people tuning large imports.
func (p *progress) trace(phase string) {
	if os.Getenv("PAPERSEEK_DEBUG") != "" {
		fmt.Fprintf(p.io.ErrOut, "paperseek: %s starts at %.1fs (%d papers read)\n", phase, time.Since(p.start).Seconds(), p.n)
	}
}

func (p *progress) papers(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n += n
	p.draw(false)
}

// phase is index.WriteOptions.Progress: training or embedding.
func (p *progress) phase(name string, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if name != p.phaseName {
		p.phaseName, p.phaseStart = name, time.Now()
		p.trace(name)
	}
	p.phaseDone, p.phaseTotal = done, total
	p.draw(false)
}

// embedded is told by a remote embedder how many papers it finished in
// its last batch (embed.Spec.Progress: a count per batch, not a running
// total), so the counts add up. The writer's own report after each chunk
// (phase) sets the same total again: the two never disagree.
func (p *progress) embedded(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.phaseName != "embedding" {
		p.phaseName, p.phaseStart, p.phaseDone = "embedding", time.Now(), 0
	}
	p.phaseDone += n
	p.draw(false)
}

// clear erases the bar so another line (a bad-record report) prints cleanly.
func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on && p.drawn {
		fmt.Fprint(p.io.ErrOut, "\r\x1b[K")
		p.drawn = false
	}
}

func (p *progress) finish() { p.clear() }

func (p *progress) draw(force bool) {
	if !p.on {
		return
	}
	now := time.Now()
	if !force && now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	fmt.Fprint(p.io.ErrOut, "\r\x1b[K"+p.line(now))
	p.drawn = true
}

// line is the bar's text at now.
func (p *progress) line(now time.Time) string {
	var line string
	switch p.phaseName {
	case "":
		rate := float64(p.n) / max(now.Sub(p.start).Seconds(), 1e-3)
		line = fmt.Sprintf("reading  %d papers  %.0f papers/s", p.n, rate)
		if p.totalBytes > 0 {
			var read int64
			for _, c := range p.inputs {
				read += c.n.Load()
			}
			frac := min(float64(read)/float64(p.totalBytes), 1)
			line += fmt.Sprintf("  %3.0f%%%s", 100*frac, eta(now.Sub(p.start), frac))
		}
	case "harvest":
		line = harvestLine(p.harvest, now.Sub(p.harvestStart), p.harvestDone0)
	case "training":
		line = fmt.Sprintf("training the embedding model on %d papers…", p.n)
	case "merging":
		line = "merging the keyword index…"
	default:
		line = fmt.Sprintf("%s  %d", p.phaseName, p.phaseDone)
		if p.phaseTotal > 0 {
			frac := float64(p.phaseDone) / float64(p.phaseTotal)
			line += fmt.Sprintf("/%d papers  %3.0f%%%s", p.phaseTotal, 100*frac, eta(now.Sub(p.phaseStart), frac))
		}
	}
	return line
}

func eta(elapsed time.Duration, frac float64) string {
	if frac <= 0.01 || frac >= 1 {
		return ""
	}
	left := int(time.Duration(float64(elapsed) * (1 - frac) / frac).Seconds())
	return fmt.Sprintf("  ETA %d:%02d", left/60, left%60)
}
