package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Bar shows done/total with a rate and the remaining time. A nil *Bar does nothing, so callers
// need not check whether progress output is wanted.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	label    string
	unit     string
	total    int64
	done     int64
	start    time.Time
	last     time.Time
	every    time.Duration
	terminal bool
	note     string
}

// New starts a bar on w (nil → no bar). unit names what is counted ("samples").
func New(w io.Writer, label string, total int64, unit string) *Bar {
	if w == nil {
		return nil
	}
	b := &Bar{w: w, label: label, total: total, unit: unit, start: time.Now(), every: 30 * time.Second}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			b.terminal, b.every = true, 100*time.Millisecond
		}
	}
	return b
}

// Add advances the bar by n and sets a short note (e.g. the current loss).
func (b *Bar) Add(n int64, note string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done += n
	b.note = note
	if now := time.Now(); now.Sub(b.last) >= b.every {
		b.last = now
		b.draw(false)
	}
}

// Done draws the final state and ends the line.
func (b *Bar) Done(note string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if note != "" {
		b.note = note
	}
	b.draw(true)
}

func (b *Bar) draw(final bool) {
	elapsed := time.Since(b.start)
	rate := float64(b.done) / max(elapsed.Seconds(), 1e-9)
	frac := 0.0
	if b.total > 0 {
		frac = min(float64(b.done)/float64(b.total), 1)
	}
	eta := "?"
	if rate > 0 && b.total > 0 {
		eta = fmtDuration(time.Duration(float64(b.total-b.done) / rate * float64(time.Second)))
	}
	const width = 24
	fill := int(frac * width)
	bar := strings.Repeat("█", fill) + strings.Repeat("·", width-fill)
	line := fmt.Sprintf("%s %s %3.0f%% %d/%d %s  %.0f %s/s  %s elapsed, %s left  %s",
		b.label, bar, 100*frac, b.done, b.total, b.unit, rate, b.unit, fmtDuration(elapsed), eta, b.note)
	if final {
		line = fmt.Sprintf("%s done: %d %s in %s (%.0f %s/s)  %s", b.label, b.done, b.unit, fmtDuration(elapsed), rate, b.unit, b.note)
	}
	if b.terminal {
		fmt.Fprintf(b.w, "\r\033[K%s", line)
		if final {
			fmt.Fprintln(b.w)
		}
		return
	}
	fmt.Fprintln(b.w, line)
}

func fmtDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%dh%02dm", h, m)
	}
	return fmt.Sprintf("%dm%02ds", m, s)
}

// Count returns how much has been counted so far.
func (b *Bar) Count() int64 {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.done
}
