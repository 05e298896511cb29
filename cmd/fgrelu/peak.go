package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/internal/sysinfo"
)

// The efficiency the benchmark quotes is against this machine's measured peak, never a
// constant: the CPU changes between machines (an AVX2 Zen 3 reaches about a third of what an
// AVX-512 Zen 5 does), and OPENBLAS_CORETYPE can force slower kernels on the same CPU. The peak
// is the faster of a 2048³ product and a large convolution (gemm.MeasureConvPeak), each with the
// providers the workloads use: oneDNN's convolutions outrun its sgemm.

// peakSize is the edge of the square product that measures the peak (2048³, 17.2 GFLOP).
const peakSize = 2048

// machinePeak is a measured peak and what it was measured under.
type machinePeak struct {
	GFLOPS float64 `json:"gflops"`
	Env    string  `json:"env"` // everything the peak depends on; a different env is remeasured
	Date   string  `json:"date"`
}

// peakEnv names what the peak depends on: CPU, cores, providers and their kernels, OpenBLAS
// variables, and what the probe runs.
func peakEnv() string {
	return fmt.Sprintf("cpu=%q GOMAXPROCS=%d gemm=%s OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s n=%d probe=product+convolution",
		sysinfo.CPUModel(), runtime.GOMAXPROCS(0), gemm.Describe(), os.Getenv("OPENBLAS_CORETYPE"),
		os.Getenv("OPENBLAS_L2_SIZE"), peakSize)
}

// measuredPeak returns the peak of this machine under this environment, measured once (about
// two seconds) and cached in the user's cache folder; remeasure forces a new measurement.
func measuredPeak(remeasure bool) machinePeak {
	env := peakEnv()
	sum := sha256.Sum256([]byte(env))
	path := ""
	if dir, err := os.UserCacheDir(); err == nil {
		path = filepath.Join(dir, "fgrelu", "peak-"+hex.EncodeToString(sum[:6])+".json")
	}
	if path != "" && !remeasure {
		var p machinePeak
		if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &p) == nil && p.Env == env && p.GFLOPS > 0 {
			return p
		}
	}
	ctx := gemm.Default()
	best := max(ctx.MeasurePeak(peakSize, 3), ctx.MeasureConvPeak(3))
	p := machinePeak{GFLOPS: best, Env: env, Date: time.Now().Format("2006-01-02")}
	if path != "" && os.MkdirAll(filepath.Dir(path), 0o755) == nil {
		b, _ := json.Marshal(p)
		_ = os.WriteFile(path, b, 0o644) // a cache that cannot be written only costs a second next time
	}
	return p
}
